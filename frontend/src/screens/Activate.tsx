import { useRef, useState, type FormEvent } from 'react';
import { useI18n } from '../i18n';
import { ApiError } from '../api/client';
import { gql } from '../api/client';
import { splitErrors } from '../api/errors';
import { ActivateAccountDocument } from '../api/generated';
import { Field } from '../components/Field';
import { FormErrors } from '../components/Status';
import { PageTitle } from '../components/PageTitle';
import { useFocusFirstError } from '../components/formErrors';
import { Link } from '../router';

export const MIN_PASSWORD = 12;
export const MAX_PASSWORD = 128;

/** Client-side password checks; null when fine. */
export function passwordProblem(pw: string, confirm: string): 'length' | 'mismatch' | null {
  const n = [...pw].length;
  if (n < MIN_PASSWORD || n > MAX_PASSWORD) return 'length';
  if (pw !== confirm) return 'mismatch';
  return null;
}

/** What is wrong with the link itself, from the API's refusal. */
export function linkProblem(err: unknown): 'expired' | 'used' | 'invalid' | null {
  if (!(err instanceof ApiError)) return null;
  for (const e of err.errors) {
    if (e.code === 'EXPIRED') return 'expired';
    if (e.code === 'CONFLICT' && (!e.field || e.field === 'token')) return 'used';
    if (e.field === 'token') return 'invalid';
  }
  return null;
}

/** `/activate?token=…`: the e-mailed link; sets the first password. */
export function Activate({ token }: { token: string | null }) {
  const { t, lang } = useI18n();
  const [pw, setPw] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [local, setLocal] = useState<Record<string, string>>({});
  const [done, setDone] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const formRef = useRef<HTMLFormElement>(null);
  useFocusFirstError(formRef, attempt);
  const title = t('activate.title');

  if (!token)
    return (
      <section className="narrow">
        <PageTitle text={title}>{title}</PageTitle>
        <div className="alert alert-error" role="alert" data-testid="activate-problem">
          <p>{t('activate.noToken')}</p>
        </div>
      </section>
    );

  if (done)
    return (
      <section className="narrow" data-testid="activate-done">
        <PageTitle text={title}>{title}</PageTitle>
        <div className="alert alert-success" role="status">
          <p>{t('activate.done', { email: done })}</p>
        </div>
        <p>
          <Link to="/sign-in" className="btn btn-primary">
            {t('nav.signIn')}
          </Link>
        </p>
      </section>
    );

  const problem = linkProblem(error);
  const errs = splitErrors(problem ? null : error, ['password'], lang, { network: t('common.networkError'), unexpected: t('common.unexpectedError') });
  const byField: Record<string, string | undefined> = { ...errs.byField, ...local };

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    const p = passwordProblem(pw, confirm);
    const loc: Record<string, string> = {};
    if (p === 'length') loc.password = t('activate.length');
    if (p === 'mismatch') loc.confirm = t('activate.mismatch');
    setLocal(loc);
    if (p) {
      setAttempt((a) => a + 1);
      return;
    }
    setBusy(true);
    try {
      const d = await gql(ActivateAccountDocument, { input: { token: token!, password: pw } });
      setDone(d.activateAccount.email);
    } catch (err) {
      setError(err);
      setAttempt((a) => a + 1);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="narrow">
      <PageTitle text={title}>{title}</PageTitle>
      {problem ? (
        <div className="alert alert-error" role="alert" data-testid="activate-problem">
          <p className="alert-title">{t(`activate.${problem}`)}</p>
          <p>{t('activate.askIntegrator')}</p>
        </div>
      ) : (
        <form ref={formRef} onSubmit={submit} noValidate className="form" aria-busy={busy} data-testid="activate-form">
          <p>{t('activate.lead')}</p>
          <FormErrors messages={errs.general} />
          <Field name="password" label={t('activate.password')} hint={t('activate.passwordHint')} error={byField.password} required>
            {(p) => <input {...p} type="password" autoComplete="new-password" maxLength={MAX_PASSWORD * 4} value={pw} onChange={(e) => setPw(e.target.value)} />}
          </Field>
          <Field name="confirm" label={t('activate.confirm')} error={byField.confirm} required>
            {(p) => <input {...p} type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} />}
          </Field>
          <div className="form-actions">
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {busy ? t('common.saving') : t('activate.submit')}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
