import { useRef, useState, type FormEvent } from 'react';
import { useI18n, LANGS, type MessageKey } from '../i18n';
import { useVocab } from '../vocab';
import { gql } from '../api/client';
import { splitErrors } from '../api/errors';
import { CreateUserDocument, OrganizationsDocument, ResetTotpDocument, UsersDocument, type Language, type Role } from '../api/generated';
import { Field } from '../components/Field';
import { ErrorBox, FormErrors, Loading, Notice } from '../components/Status';
import { Pager } from '../components/Pager';
import { PageTitle } from '../components/PageTitle';
import { Cell } from '../components/Cell';
import { useQuery } from '../components/useQuery';
import { missingFields, useFocusFirstError } from '../components/formErrors';

export const USER_FIELDS = ['email', 'fullName', 'role', 'organizationId', 'language', 'password'] as const;
const PAGE = 50;

interface UserForm {
  email: string;
  fullName: string;
  role: string;
  organizationId: string;
  language: string;
  password: string;
}
const EMPTY: UserForm = { email: '', fullName: '', role: 'OWNER', organizationId: '', language: 'RU', password: '' };

export function UserFormPanel({ onCreated }: { onCreated(email: string): void }) {
  const { t, lang } = useI18n();
  const vocab = useVocab();
  const orgs = useQuery(OrganizationsDocument, { first: 100 });
  const [form, setForm] = useState<UserForm>(EMPTY);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [missing, setMissing] = useState<Record<string, string>>({});
  const [attempt, setAttempt] = useState(0);
  const formRef = useRef<HTMLFormElement>(null);
  useFocusFirstError(formRef, attempt);
  const errs = splitErrors(error, USER_FIELDS, lang, { network: t('common.networkError'), unexpected: t('common.unexpectedError') });
  const byField: Record<string, string | undefined> = { ...errs.byField, ...missing };
  const set = (k: keyof UserForm, v: string) => {
    setForm((f) => ({ ...f, [k]: v }));
    setMissing(({ [k]: _, ...rest }) => rest);
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    const required: Array<keyof UserForm> = form.role === 'OWNER' ? ['email', 'fullName', 'organizationId'] : ['email', 'fullName'];
    const miss = missingFields(form, required, t('common.fieldRequired'));
    setMissing(miss);
    setError(null);
    if (Object.keys(miss).length) {
      setAttempt((a) => a + 1);
      return;
    }
    setBusy(true);
    try {
      const d = await gql(CreateUserDocument, {
        input: {
          email: form.email.trim(),
          fullName: form.fullName,
          role: form.role as Role,
          organizationId: form.organizationId || null,
          language: form.language as Language,
          ...(form.password ? { password: form.password } : {}),
        },
      });
      setForm(EMPTY);
      onCreated(d.createUser.user.email);
    } catch (err) {
      setError(err);
      setAttempt((a) => a + 1);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form ref={formRef} onSubmit={submit} noValidate className="form" aria-labelledby="user-create-h" aria-busy={busy} data-testid="user-form">
      <h2 id="user-create-h">{t('users.createTitle')}</h2>
      <FormErrors messages={errs.general} />
      <Field name="email" label={t('users.email')} error={byField.email} required>
        {(p) => <input {...p} type="email" autoComplete="off" value={form.email} onChange={(e) => set('email', e.target.value)} />}
      </Field>
      <Field name="fullName" label={t('users.fullName')} error={byField.fullName} required>
        {(p) => <input {...p} type="text" autoComplete="off" value={form.fullName} onChange={(e) => set('fullName', e.target.value)} />}
      </Field>
      <Field name="role" label={t('users.role')} error={byField.role} required>
        {(p) => (
          <select {...p} value={form.role} onChange={(e) => set('role', e.target.value)}>
            {vocab.options('role').map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
            {!vocab.loaded && <option value={form.role}>{form.role}</option>}
          </select>
        )}
      </Field>
      <Field
        name="organizationId"
        label={t('users.organization')}
        hint={t('users.organizationHint')}
        error={byField.organizationId}
        required={form.role === 'OWNER'}
      >
        {(p) => (
          <select {...p} value={form.organizationId} onChange={(e) => set('organizationId', e.target.value)}>
            <option value="">{t('users.noOrganization')}</option>
            {(orgs.data?.organizations.nodes ?? []).map((o) => (
              <option key={o.id} value={o.id}>
                {lang === 'kk' ? o.nameKk : o.nameRu} ({o.bin})
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field name="language" label={t('users.language')} error={byField.language}>
        {(p) => (
          <select {...p} value={form.language} onChange={(e) => set('language', e.target.value)}>
            {LANGS.map((l) => (
              <option key={l} value={l.toUpperCase()}>
                {t(`lang.${l}` as MessageKey)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field name="password" label={t('users.password')} hint={t('users.passwordHint')} error={byField.password}>
        {(p) => <input {...p} type="password" autoComplete="new-password" value={form.password} onChange={(e) => set('password', e.target.value)} />}
      </Field>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? t('common.saving') : t('common.create')}
        </button>
      </div>
    </form>
  );
}

export function Users() {
  const { t, fmt, lang } = useI18n();
  const vocab = useVocab();
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const [notice, setNotice] = useState<string | null>(null);
  const [resetError, setResetError] = useState<unknown>(null);
  const q = useQuery(UsersDocument, { first: PAGE, after: cursors[cursors.length - 1] ?? null });
  const conn = q.data?.users;

  return (
    <section>
      <PageTitle text={t('users.title')}>{t('users.title')}</PageTitle>
      <div className="admin-grid">
        <div className="panel">
          <UserFormPanel
            onCreated={(email) => {
              setNotice(t('users.createdMessage', { email }));
              setCursors([null]);
              q.reload();
            }}
          />
          {notice && <Notice>{notice}</Notice>}
        </div>
        <div>
          {q.error !== undefined && <ErrorBox error={q.error} onRetry={q.reload} />}
          {resetError !== null && <ErrorBox error={resetError} />}
          {!conn && q.loading && <Loading />}
          {conn && (
            <>
              <div className="table-wrap" role="region" aria-label={t('common.scrollTable')} tabIndex={0}>
                <table className="table table-cards" data-testid="users-table">
                  <caption className="sr-only">{t('users.title')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('users.fullName')}</th>
                      <th scope="col">{t('users.role')}</th>
                      <th scope="col">{t('users.organization')}</th>
                      <th scope="col">{t('users.active')}</th>
                      <th scope="col">{t('users.created')}</th>
                      <th scope="col">{t('users.totp')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {conn.nodes.length === 0 && (
                      <tr>
                        <td colSpan={6} className="empty">
                          {t('users.empty')}
                        </td>
                      </tr>
                    )}
                    {conn.nodes.map((u) => (
                      <tr key={u.id}>
                        <Cell>
                          <strong>{u.fullName}</strong>
                          <div className="sub">{u.email}</div>
                        </Cell>
                        <Cell label={t('users.role')}>{vocab.label('role', u.role)}</Cell>
                        <Cell label={t('users.organization')}>
                          {u.organization ? (lang === 'kk' ? u.organization.nameKk : u.organization.nameRu) : t('common.none')}
                        </Cell>
                        <Cell label={t('users.active')}>{u.active ? t('common.yes') : t('common.no')}</Cell>
                        <Cell label={t('users.created')} className="nowrap">
                          {fmt.dateTime(u.createdAt)}
                        </Cell>
                        <Cell label={t('users.totp')}>
                          {u.totpEnabled ? t('common.yes') : t('common.no')}
                          {u.totpEnabled && (
                            <div>
                              <button
                                type="button"
                                className="btn btn-small"
                                data-testid={`totp-reset-${u.email}`}
                                onClick={() => {
                                  if (!window.confirm(t('users.totpResetConfirm', { name: u.fullName }))) return;
                                  setResetError(null);
                                  gql(ResetTotpDocument, { userId: u.id }).then(
                                    () => {
                                      setNotice(t('users.totpResetDone', { name: u.fullName }));
                                      q.reload();
                                    },
                                    setResetError,
                                  );
                                }}
                              >
                                {t('users.totpReset')}
                              </button>
                            </div>
                          )}
                        </Cell>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <Pager
                page={cursors.length}
                total={conn.totalCount}
                hasNext={conn.pageInfo.hasNextPage}
                busy={q.loading}
                onNext={() => conn.pageInfo.endCursor && setCursors((c) => [...c, conn.pageInfo.endCursor])}
                onFirst={() => setCursors([null])}
              />
            </>
          )}
        </div>
      </div>
    </section>
  );
}
