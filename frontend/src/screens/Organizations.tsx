import { useRef, useState, type FormEvent } from 'react';
import { useI18n } from '../i18n';
import { useVocab } from '../vocab';
import { gql } from '../api/client';
import { splitErrors } from '../api/errors';
import { CreateOrganizationDocument, OrganizationsDocument, type OrganizationKind } from '../api/generated';
import { Field } from '../components/Field';
import { ErrorBox, FormErrors, Loading, Notice } from '../components/Status';
import { Pager } from '../components/Pager';
import { PageTitle } from '../components/PageTitle';
import { Cell } from '../components/Cell';
import { missingFields, useFocusFirstError } from '../components/formErrors';
import { useQuery } from '../components/useQuery';

export const ORG_FIELDS = ['bin', 'nameKk', 'nameRu', 'kind'] as const;
const PAGE = 50;

interface OrgForm {
  bin: string;
  nameKk: string;
  nameRu: string;
  kind: string;
}
const EMPTY: OrgForm = { bin: '', nameKk: '', nameRu: '', kind: '' };

/** Record an owner organization (with its BIN). */
export function OrganizationForm({ onCreated }: { onCreated(name: string): void }) {
  const { t, lang } = useI18n();
  const vocab = useVocab();
  const [form, setForm] = useState<OrgForm>(EMPTY);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [missing, setMissing] = useState<Record<string, string>>({});
  const [attempt, setAttempt] = useState(0);
  const formRef = useRef<HTMLFormElement>(null);
  useFocusFirstError(formRef, attempt);
  const errs = splitErrors(error, ORG_FIELDS, lang, { network: t('common.networkError'), unexpected: t('common.unexpectedError') });
  const byField: Record<string, string | undefined> = { ...errs.byField, ...missing };
  const set = (k: keyof OrgForm, v: string) => {
    setForm((f) => ({ ...f, [k]: v }));
    setMissing(({ [k]: _, ...rest }) => rest);
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    const miss = missingFields(form, ORG_FIELDS, t('common.fieldRequired'));
    setMissing(miss);
    setError(null);
    if (Object.keys(miss).length) {
      setAttempt((a) => a + 1);
      return;
    }
    setBusy(true);
    try {
      const d = await gql(CreateOrganizationDocument, {
        input: { bin: form.bin.trim(), nameKk: form.nameKk, nameRu: form.nameRu, kind: form.kind as OrganizationKind },
      });
      const o = d.createOrganization.organization;
      setForm(EMPTY);
      onCreated(lang === 'kk' ? o.nameKk : o.nameRu);
    } catch (err) {
      setError(err);
      setAttempt((a) => a + 1);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form ref={formRef} onSubmit={submit} noValidate className="form" aria-labelledby="org-create-h" aria-busy={busy} data-testid="org-form">
      <h2 id="org-create-h">{t('orgs.createTitle')}</h2>
      <FormErrors messages={errs.general} />
      <Field name="bin" label={t('orgs.bin')} hint={t('orgs.binHint')} error={byField.bin} required>
        {(p) => <input {...p} type="text" inputMode="numeric" autoComplete="off" maxLength={20} value={form.bin} onChange={(e) => set('bin', e.target.value)} />}
      </Field>
      <Field name="nameKk" label={t('orgs.nameKk')} error={byField.nameKk} required>
        {(p) => <input {...p} type="text" lang="kk" value={form.nameKk} onChange={(e) => set('nameKk', e.target.value)} />}
      </Field>
      <Field name="nameRu" label={t('orgs.nameRu')} error={byField.nameRu} required>
        {(p) => <input {...p} type="text" lang="ru" value={form.nameRu} onChange={(e) => set('nameRu', e.target.value)} />}
      </Field>
      <Field name="kind" label={t('orgs.kind')} error={byField.kind} required>
        {(p) => (
          <select {...p} value={form.kind} onChange={(e) => set('kind', e.target.value)}>
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
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? t('common.saving') : t('common.create')}
        </button>
      </div>
    </form>
  );
}

export function Organizations() {
  const { t, fmt, lang } = useI18n();
  const vocab = useVocab();
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const [notice, setNotice] = useState<string | null>(null);
  const q = useQuery(OrganizationsDocument, { first: PAGE, after: cursors[cursors.length - 1] ?? null });
  const conn = q.data?.organizations;

  return (
    <section>
      <PageTitle text={t('orgs.title')}>{t('orgs.title')}</PageTitle>
      <div className="admin-grid">
        <div className="panel">
          <OrganizationForm
            onCreated={(name) => {
              setNotice(t('orgs.createdMessage', { name }));
              setCursors([null]);
              q.reload();
            }}
          />
          {notice && <Notice>{notice}</Notice>}
        </div>
        <div>
          {q.error !== undefined && <ErrorBox error={q.error} onRetry={q.reload} />}
          {!conn && q.loading && <Loading />}
          {conn && (
            <>
              <div className="table-wrap" role="region" aria-label={t('common.scrollTable')} tabIndex={0}>
                <table className="table table-cards" data-testid="orgs-table">
                  <caption className="sr-only">{t('orgs.title')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('orgs.bin')}</th>
                      <th scope="col">{t('orgs.colName')}</th>
                      <th scope="col">{t('orgs.kind')}</th>
                      <th scope="col">{t('orgs.created')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {conn.nodes.length === 0 && (
                      <tr>
                        <td colSpan={4} className="empty">
                          {t('orgs.empty')}
                        </td>
                      </tr>
                    )}
                    {conn.nodes.map((o) => (
                      <tr key={o.id}>
                        <Cell label={t('orgs.bin')}>
                          <code>{o.bin}</code>
                        </Cell>
                        <Cell label={t('orgs.colName')}>
                          {lang === 'kk' ? o.nameKk : o.nameRu}
                          <div className="sub">{lang === 'kk' ? o.nameRu : o.nameKk}</div>
                        </Cell>
                        <Cell label={t('orgs.kind')}>{vocab.label('organizationKind', o.kind)}</Cell>
                        <Cell label={t('orgs.created')} className="nowrap">
                          {fmt.dateTime(o.createdAt)}
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
