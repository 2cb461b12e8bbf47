import type { ReactNode } from 'react';
import { useI18n } from '../i18n';
import { splitErrors } from '../api/errors';

export function Loading({ label }: { label?: string }) {
  const { t } = useI18n();
  return (
    <p className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label ?? t('common.loading')}
    </p>
  );
}

/** A failed load, in the user's language, with a retry button. */
export function ErrorBox({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t, lang } = useI18n();
  const { general, byField } = splitErrors(error, [], lang, {
    network: t('common.networkError'),
    unexpected: t('common.unexpectedError'),
  });
  const messages = [...general, ...Object.values(byField)];
  return (
    <div className="alert alert-error" role="alert">
      <p className="alert-title">{t('common.errorTitle')}</p>
      <ul>
        {messages.map((m, i) => (
          <li key={i}>{m}</li>
        ))}
      </ul>
      {onRetry && (
        <button type="button" className="btn" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}

/** Errors of a form that belong to no visible field. */
export function FormErrors({ messages, children, title }: { messages: string[]; children?: ReactNode; title?: string }) {
  const { t } = useI18n();
  if (!messages.length && !children) return null;
  return (
    <div className="alert alert-error" role="alert" tabIndex={-1}>
      <p className="alert-title">{title ?? t('common.formErrors')}</p>
      {messages.length > 0 && (
        <ul>
          {messages.map((m, i) => (
            <li key={i}>{m}</li>
          ))}
        </ul>
      )}
      {children}
    </div>
  );
}

export function Notice({ children }: { children: ReactNode }) {
  return (
    <div className="alert alert-success" role="status">
      {children}
    </div>
  );
}
