import { useId, type ReactNode } from 'react';
import { useI18n } from '../i18n';

/** Props to spread on the control so it is labelled and described. */
export interface ControlProps {
  id: string;
  name: string;
  'aria-invalid': boolean | undefined;
  'aria-describedby': string | undefined;
  required: boolean | undefined;
}

export interface FieldProps {
  /** The API's name for the field (used for `name` and error matching). */
  name: string;
  label: ReactNode;
  hint?: ReactNode;
  /** The API's message for this field, in the user's language. */
  error?: string | undefined;
  required?: boolean;
  /** A checkbox: the label follows the control on one line. */
  inline?: boolean;
  /** The integrator's remarks on this field (shown under the label). */
  remark?: string[] | undefined;
  children(props: ControlProps): ReactNode;
}

/** A labelled form control with its hint and its error message. */
export function Field({ name, label, hint, error, required, inline, remark, children }: FieldProps) {
  const { t } = useI18n();
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const remarkId = remark?.length ? `${id}-remark` : undefined;
  const describedBy = [errorId, remarkId, hintId].filter(Boolean).join(' ') || undefined;
  const control = children({
    id,
    name,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': describedBy,
    required: required || undefined,
  });
  const labelEl = (
    <label htmlFor={id}>
      {label}
      {required && <span className="req"> ({t('common.required')})</span>}
    </label>
  );
  return (
    <div className={`field${inline ? ' field-inline' : ''}${error ? ' field-invalid' : ''}`} data-field={name}>
      {inline ? (
        <div className="inline-row">
          {control}
          {labelEl}
        </div>
      ) : (
        <>
          {labelEl}
          {control}
        </>
      )}
      {remarkId && (
        <div className="field-remark" id={remarkId} data-testid="field-remark">
          <span className="remark-label">{t('submit.remarkLabel')}</span>
          {remark!.map((x, i) => (
            <p key={i}>{x}</p>
          ))}
        </div>
      )}
      {hint && (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={errorId} role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
