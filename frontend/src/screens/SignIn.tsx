import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useI18n } from '../i18n';
import { useAuth } from '../auth';
import { navigate, Link } from '../router';
import { Field } from '../components/Field';
import { FormErrors } from '../components/Status';
import { PageTitle } from '../components/PageTitle';
import { splitErrors } from '../api/errors';
import { ApiError } from '../api/client';
import { homeFor } from '../nav';
import { useFocusFirstError } from '../components/formErrors';

const FIELDS = ['email', 'password', 'totpCode'] as const;

/**
 * Sign-in. Accounts with the second factor on answer `TOTP_REQUIRED` to the
 * password alone: the form then asks for the app's code (or a recovery
 * code) in a second step, keeping the e-mail and password it already has.
 */
export function SignIn({ next, expired }: { next: string | null; expired: boolean }) {
  const { t, lang } = useI18n();
  const { signIn } = useAuth();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [step, setStep] = useState<'password' | 'code'>('password');
  const [recovery, setRecovery] = useState(false);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const codeRef = useRef<HTMLInputElement>(null);
  useFocusFirstError(formRef, error);
  const errs = splitErrors(error, FIELDS, lang, { network: t('common.networkError'), unexpected: t('common.unexpectedError') });

  useEffect(() => {
    if (step === 'code') codeRef.current?.focus();
  }, [step, recovery]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const user = await signIn(email.trim(), password, step === 'code' ? code.trim() : undefined);
      navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : homeFor(user.role), { replace: true });
    } catch (err) {
      if (step === 'password' && err instanceof ApiError && err.has('TOTP_REQUIRED')) {
        setStep('code');
      } else {
        setError(err);
      }
      setBusy(false);
    }
  }

  function startOver() {
    setStep('password');
    setRecovery(false);
    setCode('');
    setPassword('');
    setError(null);
  }

  return (
    <section className="narrow">
      <PageTitle text={t('signIn.title')}>{t('signIn.title')}</PageTitle>
      {expired && !error && step === 'password' && (
        <p className="alert alert-info" role="status">
          {t('signIn.expired')}
        </p>
      )}
      <form ref={formRef} onSubmit={submit} noValidate className="form" aria-busy={busy} data-testid="sign-in-form">
        <FormErrors messages={errs.general} title={t('signIn.failed')} />
        {step === 'password' ? (
          <>
            <Field name="email" label={t('signIn.email')} error={errs.byField.email} required>
              {(p) => <input {...p} type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} />}
            </Field>
            <Field name="password" label={t('signIn.password')} error={errs.byField.password} required>
              {(p) => (
                <input {...p} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
              )}
            </Field>
          </>
        ) : (
          <>
            <p role="status" data-testid="totp-step">
              {recovery ? t('signIn.recoveryPrompt') : t('signIn.totpPrompt')}
            </p>
            <Field
              name="totpCode"
              label={recovery ? t('signIn.recoveryCode') : t('signIn.totpCode')}
              error={errs.byField.totpCode}
              required
            >
              {(p) => (
                <input
                  {...p}
                  ref={codeRef}
                  key={recovery ? 'recovery' : 'app'}
                  type="text"
                  inputMode={recovery ? 'text' : 'numeric'}
                  autoComplete="one-time-code"
                  maxLength={recovery ? 16 : 7}
                  spellCheck={false}
                  value={code}
                  onChange={(e) => setCode(e.target.value)}
                />
              )}
            </Field>
            <p>
              <button
                type="button"
                className="btn btn-link"
                onClick={() => {
                  setRecovery((r) => !r);
                  setCode('');
                  setError(null);
                }}
              >
                {recovery ? t('signIn.useApp') : t('signIn.useRecovery')}
              </button>
            </p>
          </>
        )}
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? t('signIn.submitting') : step === 'code' ? t('signIn.verify') : t('signIn.submit')}
          </button>
          {step === 'code' && (
            <button type="button" className="btn" onClick={startOver}>
              {t('signIn.startOver')}
            </button>
          )}
        </div>
      </form>
      <p className="muted">
        {t('signIn.noAccount')} <Link to="/account-request">{t('landing.requestCta')}</Link>
      </p>
    </section>
  );
}
