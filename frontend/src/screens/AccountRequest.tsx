import { useRef, useState, type FormEvent } from 'react';
import { useI18n } from '../i18n';
import { useVocab } from '../vocab';
import { gql } from '../api/client';
import { splitErrors } from '../api/errors';
import { RequestAccountDocument, type Language, type OrganizationKind, type RequestAccountInput } from '../api/generated';
import { Field } from '../components/Field';
import { FormErrors } from '../components/Status';
import { PageTitle } from '../components/PageTitle';
import { missingFields, useFocusFirstError } from '../components/formErrors';
import { Link } from '../router';

/** The fields of the application (003 §6), as the API names them. */
export const ACCOUNT_REQUEST_FIELDS = [
  'bin',
  'organizationNameKk',
  'organizationNameRu',
  'organizationKind',
  'fullName',
  'position',
  'email',
  'phone',
  'basis',
] as const;

export type AccountRequestForm = Record<(typeof ACCOUNT_REQUEST_FIELDS)[number], string>;

export const EMPTY_ACCOUNT_REQUEST: AccountRequestForm = {
  bin: '',
  organizationNameKk: '',
  organizationNameRu: '',
  organizationKind: '',
  fullName: '',
  position: '',
  email: '',
  phone: '',
  basis: '',
};

/** The form as the mutation's input; mail goes out in the user's language. */
export function accountRequestInput(f: AccountRequestForm, lang: 'kk' | 'ru' | 'en'): RequestAccountInput {
  return {
    bin: f.bin.trim(),
    organizationNameKk: f.organizationNameKk.trim(),
    organizationNameRu: f.organizationNameRu.trim(),
    organizationKind: f.organizationKind as OrganizationKind,
    fullName: f.fullName.trim(),
    position: f.position.trim(),
    email: f.email.trim(),
    phone: f.phone.trim(),
    basis: f.basis.trim(),
    language: lang.toUpperCase() as Language,
  };
}

/** Public: the application for a portal account (003 §6). */
export function AccountRequest() {
  const { t, lang, fmt } = useI18n();
  const vocab = useVocab();
  const [form, setForm] = useState<AccountRequestForm>(EMPTY_ACCOUNT_REQUEST);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [missing, setMissing] = useState<Record<string, string>>({});
  const [attempt, setAttempt] = useState(0);
  const [done, setDone] = useState<{ dueAt: string; receivedAt: string } | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  useFocusFirstError(formRef, attempt);
  const errs = splitErrors(error, ACCOUNT_REQUEST_FIELDS, lang, { network: t('common.networkError'), unexpected: t('common.unexpectedError') });
  const byField: Record<string, string | undefined> = { ...errs.byField, ...missing };
  const set = (k: keyof AccountRequestForm, v: string) => {
    setForm((f) => ({ ...f, [k]: v }));
    setMissing(({ [k]: _, ...rest }) => rest);
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    const miss = missingFields(form, ACCOUNT_REQUEST_FIELDS, t('common.fieldRequired'));
    setMissing(miss);
    setError(null);
    if (Object.keys(miss).length) {
      setAttempt((a) => a + 1);
      return;
    }
    setBusy(true);
    try {
      const d = await gql(RequestAccountDocument, { input: accountRequestInput(form, lang) });
      setDone(d.requestAccount.accountRequest);
    } catch (err) {
      setError(err);
      setAttempt((a) => a + 1);
    } finally {
      setBusy(false);
    }
  }

  if (done)
    return (
      <section className="narrow" data-testid="account-request-done">
        <PageTitle text={t('accountRequest.doneTitle')}>{t('accountRequest.doneTitle')}</PageTitle>
        <div className="alert alert-success" role="status">
          <p>{t('accountRequest.doneText', { email: form.email.trim() })}</p>
          <p>
            <strong>{t('accountRequest.dueAt', { date: fmt.dateTime(done.dueAt) })}</strong>
          </p>
        </div>
        <p>
          <Link to="/">{t('nav.home')}</Link>
        </p>
      </section>
    );

  const text = (k: keyof AccountRequestForm, extra: { type?: string; autoComplete?: string; lang?: string; inputMode?: 'numeric' | 'tel' | 'email' } = {}, hint?: string) => (
    <Field name={k} label={t(`accountRequest.${k}`)} hint={hint} error={byField[k]} required>
      {(p) => <input {...p} type={extra.type ?? 'text'} value={form[k]} onChange={(e) => set(k, e.target.value)} {...extra} />}
    </Field>
  );

  return (
    <section>
      <PageTitle text={t('accountRequest.title')}>{t('accountRequest.title')}</PageTitle>
      <p className="lead">{t('accountRequest.lead')}</p>
      <form ref={formRef} onSubmit={submit} noValidate className="form form-wide" aria-busy={busy} data-testid="account-request-form">
        <FormErrors messages={errs.general} />
        <fieldset className="group">
          <legend>{t('accountRequest.organization')}</legend>
          {text('bin', { inputMode: 'numeric', autoComplete: 'off' }, t('orgs.binHint'))}
          {text('organizationNameKk', { lang: 'kk' })}
          {text('organizationNameRu', { lang: 'ru' })}
          <Field name="organizationKind" label={t('accountRequest.organizationKind')} error={byField.organizationKind} required>
            {(p) => (
              <select {...p} value={form.organizationKind} onChange={(e) => set('organizationKind', e.target.value)}>
                <option value="" disabled>
                  —
                </option>
                {vocab.options('organizationKind').map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </fieldset>
        <fieldset className="group">
          <legend>{t('accountRequest.person')}</legend>
          {text('fullName', { autoComplete: 'name' })}
          {text('position', { autoComplete: 'organization-title' })}
          {text('email', { type: 'email', autoComplete: 'email', inputMode: 'email' }, t('accountRequest.emailHint'))}
          {text('phone', { type: 'tel', autoComplete: 'tel', inputMode: 'tel' })}
        </fieldset>
        <Field name="basis" label={t('accountRequest.basis')} hint={t('accountRequest.basisHint')} error={byField.basis} required>
          {(p) => <textarea {...p} rows={3} value={form.basis} onChange={(e) => set('basis', e.target.value)} />}
        </Field>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? t('common.saving') : t('accountRequest.submit')}
          </button>
        </div>
      </form>
    </section>
  );
}
