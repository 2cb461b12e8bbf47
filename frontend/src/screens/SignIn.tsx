import { useRef, useState, type FormEvent } from 'react';
import { useI18n } from '../i18n';
import { useAuth } from '../auth';
import { navigate, Link } from '../router';
import { Field } from '../components/Field';
import { FormErrors } from '../components/Status';
import { PageTitle } from '../components/PageTitle';
import { splitErrors } from '../api/errors';
import { homeFor } from '../nav';
import { useFocusFirstError } from '../components/formErrors';

const FIELDS = ['email', 'password'] as const;

export function SignIn({ next, expired }: { next: string | null; expired: boolean }) {
  const { t, lang } = useI18n();
  const { signIn } = useAuth();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const formRef = useRef<HTMLFormElement>(null);
  useFocusFirstError(formRef, error);
  const errs = splitErrors(error, FIELDS, lang, { network: t('common.networkError'), unexpected: t('common.unexpectedError') });

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const user = await signIn(email.trim(), password);
      navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : homeFor(user.role), { replace: true });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  return (
    <section className="narrow">
      <PageTitle text={t('signIn.title')}>{t('signIn.title')}</PageTitle>
      {expired && !error && (
        <p className="alert alert-info" role="status">
          {t('signIn.expired')}
        </p>
      )}
      <form ref={formRef} onSubmit={submit} noValidate className="form" aria-busy={busy}>
        <FormErrors messages={errs.general} title={t('signIn.failed')} />
        <Field name="email" label={t('signIn.email')} error={errs.byField.email} required>
          {(p) => <input {...p} type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} />}
        </Field>
        <Field name="password" label={t('signIn.password')} error={errs.byField.password} required>
          {(p) => (
            <input {...p} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
          )}
        </Field>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? t('signIn.submitting') : t('signIn.submit')}
          </button>
        </div>
      </form>
      <p className="muted">
        {t('signIn.noAccount')} <Link to="/account-request">{t('landing.requestCta')}</Link>
      </p>
    </section>
  );
}
