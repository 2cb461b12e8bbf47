import { useRef, useState, type FormEvent } from 'react';
import { useI18n } from '../i18n';
import { gql } from '../api/client';
import { splitErrors } from '../api/errors';
import {
  ConfirmTotpEnrolmentDocument,
  DisableTotpDocument,
  SecurityStatusDocument,
  StartTotpEnrolmentDocument,
  type StartTotpEnrolmentMutation,
} from '../api/generated';
import { Field } from '../components/Field';
import { ErrorBox, FormErrors, Loading, Notice } from '../components/Status';
import { PageTitle } from '../components/PageTitle';
import { useQuery } from '../components/useQuery';
import { useFocusFirstError } from '../components/formErrors';

type Enrolment = StartTotpEnrolmentMutation['startTotpEnrolment'];

/** The QR code the server drew, shown as an image (never as live markup). */
function qrSrc(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

/** A text file of the recovery codes, for the download link. */
function codesFile(codes: string[]): string {
  return `data:text/plain;charset=utf-8,${encodeURIComponent(`archportal\n\n${codes.join('\n')}\n`)}`;
}

/**
 * The account's security page: turning the authenticator-app second factor
 * on (QR code and grouped key, a first code to confirm, then the recovery
 * codes shown once) and off (password and a code).
 */
export function Security() {
  const { t, lang } = useI18n();
  const q = useQuery(SecurityStatusDocument, {});
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const formRef = useRef<HTMLFormElement>(null);
  useFocusFirstError(formRef, error);
  const errs = splitErrors(error, ['code', 'password'], lang, { network: t('common.networkError'), unexpected: t('common.unexpectedError') });
  const on = q.data?.me?.totpEnabled ?? false;

  async function run(action: () => Promise<void>) {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      await action();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const start = () =>
    run(async () => {
      const d = await gql(StartTotpEnrolmentDocument, {});
      setCode('');
      setEnrolment(d.startTotpEnrolment);
    });

  const confirm = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const d = await gql(ConfirmTotpEnrolmentDocument, { input: { code: code.trim() } });
      setEnrolment(null);
      setCode('');
      setCodes(d.confirmTotpEnrolment.recoveryCodes);
      q.reload();
    });
  };

  const disable = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await gql(DisableTotpDocument, { input: { password, code: code.trim() } });
      setPassword('');
      setCode('');
      setNotice(t('security.disabled'));
      q.reload();
    });
  };

  return (
    <section className="narrow">
      <PageTitle text={t('security.title')}>{t('security.title')}</PageTitle>
      <h2>{t('security.totpHeading')}</h2>
      <p>{t('security.totpIntro')}</p>
      {q.error !== undefined && <ErrorBox error={q.error} onRetry={q.reload} />}
      {!q.data && q.loading && <Loading />}
      {notice && <Notice>{notice}</Notice>}
      {q.data && (
        <p className={`alert ${on ? 'alert-success' : 'alert-info'}`} data-testid="totp-status">
          {on ? t('security.statusOn') : t('security.statusOff')}
        </p>
      )}

      {codes && (
        <div className="panel" data-testid="recovery-codes">
          <h3>{t('security.codesHeading')}</h3>
          <p>{t('security.codesIntro')}</p>
          <ol className="recovery-codes">
            {codes.map((c) => (
              <li key={c}>
                <code>{c}</code>
              </li>
            ))}
          </ol>
          <p className="hint">{t('security.codesHint')}</p>
          <div className="form-actions">
            <a className="btn" href={codesFile(codes)} download="archportal-recovery-codes.txt">
              {t('security.download')}
            </a>
            <button type="button" className="btn" onClick={() => window.print()}>
              {t('security.print')}
            </button>
            <button type="button" className="btn btn-primary" onClick={() => setCodes(null)}>
              {t('security.done')}
            </button>
          </div>
        </div>
      )}

      {q.data && !on && !enrolment && !codes && (
        <>
          <FormErrors messages={errs.general} title={t('common.errorTitle')} />
          <button type="button" className="btn btn-primary" onClick={() => void start()} disabled={busy} data-testid="totp-start">
            {busy ? t('security.starting') : t('security.start')}
          </button>
        </>
      )}

      {enrolment && (
        <form ref={formRef} onSubmit={confirm} noValidate className="form panel" aria-busy={busy} data-testid="totp-enrol">
          <p>{t('security.scan')}</p>
          <img className="totp-qr" src={qrSrc(enrolment.qrSvg)} alt={t('security.qrAlt')} width={200} height={200} />
          <p>{t('security.manual')}</p>
          <p>
            <code className="totp-secret" data-testid="totp-secret">
              {enrolment.secret}
            </code>
          </p>
          <FormErrors messages={errs.general} title={t('common.errorTitle')} />
          <Field name="code" label={t('security.code')} error={errs.byField.code} required>
            {(p) => (
              <input {...p} type="text" inputMode="numeric" autoComplete="one-time-code" maxLength={7} value={code} onChange={(e) => setCode(e.target.value)} />
            )}
          </Field>
          <div className="form-actions">
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {busy ? t('security.confirming') : t('security.confirm')}
            </button>
            <button type="button" className="btn" onClick={() => setEnrolment(null)}>
              {t('security.cancel')}
            </button>
          </div>
        </form>
      )}

      {q.data && on && !codes && (
        <form ref={formRef} onSubmit={disable} noValidate className="form panel" aria-busy={busy} data-testid="totp-disable" aria-labelledby="totp-disable-h">
          <h3 id="totp-disable-h">{t('security.disableHeading')}</h3>
          <FormErrors messages={errs.general} title={t('common.errorTitle')} />
          <Field name="password" label={t('security.password')} error={errs.byField.password} required>
            {(p) => <input {...p} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />}
          </Field>
          <Field name="code" label={t('security.disableCode')} error={errs.byField.code} required>
            {(p) => <input {...p} type="text" autoComplete="one-time-code" maxLength={16} value={code} onChange={(e) => setCode(e.target.value)} />}
          </Field>
          <div className="form-actions">
            <button type="submit" className="btn btn-danger" disabled={busy}>
              {busy ? t('security.disabling') : t('security.disable')}
            </button>
          </div>
          <p className="hint">{t('security.lostPhone')}</p>
        </form>
      )}
    </section>
  );
}
