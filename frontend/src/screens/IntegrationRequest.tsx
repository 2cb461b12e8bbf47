import { Fragment, useRef, useState, type FormEvent } from 'react';
import { useI18n, type MessageKey } from '../i18n';
import { useAuth } from '../auth';
import { gql } from '../api/client';
import { splitErrors } from '../api/errors';
import {
  CheckIntegrationCompletenessDocument,
  ConsumerObjectsDocument,
  FileIntegrationRequestDocument,
  GrantIntegrationTestAccessDocument,
  IntegrationRequestDocument,
  PutIntegrationIntoProductionDocument,
  RecommendIntegrationDocument,
  RefuseIntegrationAgreementDocument,
  ResubmitIntegrationRequestDocument,
  SignIntegrationAgreementDocument,
  type IntegrationParty,
  type IntegrationRequestState,
  type Role,
} from '../api/generated';
import { useQuery } from '../components/useQuery';
import { Field } from '../components/Field';
import { ErrorBox, FormErrors, Loading } from '../components/Status';
import { PageTitle } from '../components/PageTitle';
import { missingFields, useFocusFirstError } from '../components/formErrors';
import { Link, navigate } from '../router';
import { serviceName } from './Services';

/** The Annex 5 fields of a new request, as the API names them. */
export const INTEGRATION_FIELDS = ['serviceId', 'consumerObjectId', 'basisLink', 'systemAddress', 'purpose'] as const;
export type IntegrationForm = Record<(typeof INTEGRATION_FIELDS)[number], string> & { consumerNonState: boolean };

export const stateKey = (s: IntegrationRequestState) => `integration.state.${s}` as MessageKey;
export const partyKey = (p: IntegrationParty) => `integration.party.${p}` as MessageKey;
export const INTEGRATION_STATES: readonly IntegrationRequestState[] = [
  'ANALYSIS',
  'OWNER_AGREEMENT',
  'COMPLETENESS_CHECK',
  'REWORK',
  'TEST_ACCESS',
  'TESTING',
  'IN_PRODUCTION',
  'REJECTED',
  'REFUSED',
];
export const INTEGRATION_PARTIES: readonly IntegrationParty[] = ['INITIATOR', 'SERVICE_OWNER', 'INTEGRATOR', 'OPERATOR'];

/** Whether a user of `role` may act for the party the request awaits (the API checks the organization). */
export function actsFor(role: Role | null, awaiting: IntegrationParty | null | undefined): boolean {
  if (!role || !awaiting) return false;
  if (awaiting === 'INTEGRATOR') return role === 'INTEGRATOR';
  if (awaiting === 'OPERATOR') return role === 'OPERATOR';
  return role === 'OWNER';
}

/** OWNER: files an integration request for a service (Annex 5). */
export function IntegrationRequestNew({ serviceId, objectId }: { serviceId?: string | null; objectId?: string | null }) {
  const { t, lang } = useI18n();
  const objects = useQuery(ConsumerObjectsDocument, { first: 100 });
  const [form, setForm] = useState<IntegrationForm>({
    serviceId: serviceId ?? '',
    consumerObjectId: objectId ?? '',
    basisLink: '',
    systemAddress: '',
    purpose: '',
    consumerNonState: false,
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [missing, setMissing] = useState<Record<string, string>>({});
  const [attempt, setAttempt] = useState(0);
  const formRef = useRef<HTMLFormElement>(null);
  useFocusFirstError(formRef, attempt);
  const errs = splitErrors(error, INTEGRATION_FIELDS, lang, { network: t('common.networkError'), unexpected: t('common.unexpectedError') });
  const byField: Record<string, string | undefined> = { ...errs.byField, ...missing };
  const set = <K extends keyof IntegrationForm>(k: K, v: IntegrationForm[K]) => {
    setForm((f) => ({ ...f, [k]: v }));
    setMissing(({ [k]: _, ...rest }) => rest);
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    const miss = missingFields(form, INTEGRATION_FIELDS, t('common.fieldRequired'));
    setMissing(miss);
    setError(null);
    if (Object.keys(miss).length) {
      setAttempt((a) => a + 1);
      return;
    }
    setBusy(true);
    try {
      const d = await gql(FileIntegrationRequestDocument, {
        input: {
          serviceId: form.serviceId.trim(),
          consumerObjectId: form.consumerObjectId,
          basisLink: form.basisLink.trim(),
          systemAddress: form.systemAddress.trim(),
          purpose: form.purpose.trim(),
          consumerNonState: form.consumerNonState,
        },
      });
      navigate(`/integration-requests/${d.fileIntegrationRequest.integrationRequest.id}?filed=1`);
    } catch (err) {
      setError(err);
      setAttempt((a) => a + 1);
    } finally {
      setBusy(false);
    }
  }

  const text = (k: 'serviceId' | 'basisLink' | 'systemAddress', hint?: string) => (
    <Field name={k} label={t(`integration.${k}`)} hint={hint} error={byField[k]} required>
      {(p) => <input {...p} type="text" value={form[k]} onChange={(e) => set(k, e.target.value)} />}
    </Field>
  );

  return (
    <section className="narrow">
      <PageTitle text={t('integration.newTitle')}>{t('integration.newTitle')}</PageTitle>
      <p className="lead">{t('integration.newLead')}</p>
      <form ref={formRef} noValidate onSubmit={(e) => void submit(e)} className="panel form" data-testid="integration-form">
        <FormErrors messages={errs.general} />
        {text('serviceId')}
        <Field name="consumerObjectId" label={t('integration.consumerObjectId')} hint={t('integration.consumerObjectHint')} error={byField.consumerObjectId} required>
          {(p) => (
            <select {...p} value={form.consumerObjectId} onChange={(e) => set('consumerObjectId', e.target.value)}>
              <option value="">{objects.loading ? t('common.loading') : '—'}</option>
              {objects.data?.informatizationObjects.nodes.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.shortName} — {lang === 'kk' ? o.nameKk : o.nameRu}
                </option>
              ))}
            </select>
          )}
        </Field>
        {text('basisLink', t('integration.basisLinkHint'))}
        {text('systemAddress', t('integration.systemAddressHint'))}
        <Field name="purpose" label={t('integration.purpose')} error={byField.purpose} required>
          {(p) => <textarea {...p} rows={4} value={form.purpose} onChange={(e) => set('purpose', e.target.value)} />}
        </Field>
        <Field name="consumerNonState" label={t('integration.consumerNonState')} hint={t('integration.consumerNonStateHint')} inline>
          {(p) => <input {...p} type="checkbox" checked={form.consumerNonState} onChange={(e) => set('consumerNonState', e.target.checked)} />}
        </Field>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy} aria-busy={busy}>
            {busy ? t('common.saving') : t('integration.file')}
          </button>
        </div>
      </form>
    </section>
  );
}

type Action = 'recommend' | 'sign' | 'refuse' | 'complete' | 'resubmit' | 'testAccess' | 'production';

/** The actions of the current step, for the party it awaits. */
export function actionsFor(state: IntegrationRequestState): Action[] {
  switch (state) {
    case 'ANALYSIS':
      return ['recommend'];
    case 'OWNER_AGREEMENT':
      return ['sign', 'refuse'];
    case 'COMPLETENESS_CHECK':
      return ['complete'];
    case 'REWORK':
      return ['resubmit'];
    case 'TEST_ACCESS':
      return ['testAccess'];
    case 'TESTING':
      return ['production'];
    default:
      return [];
  }
}

const NOTE_FIELDS = ['recommendation', 'reasons', 'remarks', 'act'] as const;

/** One request: Annex 5 fields, steps with actor and due dates, the actions of the current step. */
export function IntegrationRequestPage({ id, filed }: { id: string; filed?: boolean }) {
  const { t, fmt, lang } = useI18n();
  const { role } = useAuth();
  const q = useQuery(IntegrationRequestDocument, { id, withSimilar: role === 'INTEGRATOR' || role === 'OPERATOR' || role === 'ADMIN' });
  const [note, setNote] = useState('');
  const [positive, setPositive] = useState(true);
  const [complete, setComplete] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(filed ? t('integration.filed') : null);
  const r = q.data?.integrationRequest;
  const errs = splitErrors(error, NOTE_FIELDS, lang, { network: t('common.networkError'), unexpected: t('common.unexpectedError') });
  const noteError = Object.values(errs.byField)[0];

  if (q.error !== undefined && !r) return <ErrorBox error={q.error} onRetry={q.reload} />;
  if (!r) {
    if (q.loading) return <Loading />;
    return (
      <section>
        <PageTitle text={t('common.notFound')}>{t('common.notFound')}</PageTitle>
      </section>
    );
  }

  async function act(a: Action) {
    if (!r) return;
    setBusy(true);
    setError(null);
    setDone(null);
    const base = { id: r.id, expectedVersion: r.rowVersion };
    try {
      switch (a) {
        case 'recommend':
          await gql(RecommendIntegrationDocument, { input: { ...base, positive, recommendation: note.trim() } });
          break;
        case 'sign':
          await gql(SignIntegrationAgreementDocument, { input: base });
          break;
        case 'refuse':
          await gql(RefuseIntegrationAgreementDocument, { input: { ...base, reasons: note.trim() } });
          break;
        case 'complete':
          await gql(CheckIntegrationCompletenessDocument, { input: { ...base, complete, remarks: note.trim() } });
          break;
        case 'resubmit':
          await gql(ResubmitIntegrationRequestDocument, { input: base });
          break;
        case 'testAccess':
          await gql(GrantIntegrationTestAccessDocument, { input: base });
          break;
        case 'production':
          await gql(PutIntegrationIntoProductionDocument, { input: { ...base, act: note.trim() } });
          break;
      }
      setNote('');
      setDone(t('integration.saved'));
      q.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const actions = actsFor(role, r.awaiting) ? actionsFor(r.state) : [];
  const needsNote = actions.some((a) => a === 'recommend' || a === 'refuse' || a === 'complete' || a === 'production');
  const noteLabel: MessageKey = actions.includes('recommend')
    ? 'integration.recommendation'
    : actions.includes('production')
      ? 'integration.act'
      : actions.includes('complete')
        ? 'integration.remarks'
        : 'integration.reasons';
  const title = t('integration.title', { service: r.serviceId });
  const fields: Array<[MessageKey, string]> = [
    ['integration.ownerOrganization', r.ownerOrganizationName],
    ['integration.objectName', r.objectName],
    ['integration.consumerOrganization', r.consumerOrganizationName],
    ['integration.consumerObject', `${r.consumerShortName} — ${r.consumerObjectName}`],
    ['integration.systemAddress', r.systemAddress],
    ['integration.purpose', r.purpose],
    ['integration.consumerNonState', r.consumerNonState ? t('common.yes') : t('common.no')],
  ];

  return (
    <section data-testid="integration-request">
      <p className="breadcrumb">
        <Link to="/integration-requests">← {t('integration.listTitle')}</Link>
      </p>
      <div className="page-head">
        <PageTitle text={title}>{title}</PageTitle>
        <span className={`badge badge-ir-${r.state.toLowerCase()}`} data-testid="ir-state">
          {t(stateKey(r.state))}
        </span>
      </div>
      {done && (
        <div className="alert alert-success" role="status">
          {done}
        </div>
      )}
      <div className="two-col">
        <div className="panel">
          <h2>{t('integration.annex5')}</h2>
          <dl className="details ir-details">
            <dt>{t('integration.serviceId')}</dt>
            <dd>
              <Link to={`/services/${encodeURIComponent(r.serviceId)}`}>
                <code>{r.serviceId}</code>
              </Link>
              {r.service && <div className="sub">{serviceName(r.service, lang)}</div>}
            </dd>
            <dt>{t('integration.basisLink')}</dt>
            <dd>
              {/^https?:\/\//.test(r.basisLink) ? (
                <a href={r.basisLink} rel="noopener noreferrer" target="_blank">
                  {r.basisLink}
                </a>
              ) : (
                r.basisLink
              )}
            </dd>
            {fields.map(([k, v]) => (
              <Fragment key={k}>
                <dt>{t(k)}</dt>
                <dd>{v}</dd>
              </Fragment>
            ))}
            <dt>{t('integration.filedAt')}</dt>
            <dd>{fmt.dateTime(r.createdAt)}</dd>
          </dl>
        </div>
        <div className="panel" data-testid="ir-current">
          <h2>{t('integration.current')}</h2>
          <p>
            {r.awaiting ? t('integration.awaiting', { party: t(partyKey(r.awaiting)) }) : t('integration.finished')}
            {r.dueAt && (
              <>
                {' · '}
                {t('integration.dueAt', { date: fmt.dateTime(r.dueAt) })}
              </>
            )}{' '}
            {r.overdue && <span className="badge badge-overdue">{t('integration.overdue')}</span>}
          </p>
          {actions.length > 0 && (
            <form className="form" onSubmit={(e) => e.preventDefault()} data-testid="ir-actions">
              <FormErrors messages={errs.general} />
              {actions.includes('recommend') && (
                <fieldset>
                  <legend>{t('integration.recommendChoice')}</legend>
                  <div className="inline-row">
                    <input id="ir-pos" type="radio" name="positive" checked={positive} onChange={() => setPositive(true)} />
                    <label htmlFor="ir-pos">{t('integration.positive')}</label>
                  </div>
                  <div className="inline-row">
                    <input id="ir-neg" type="radio" name="positive" checked={!positive} onChange={() => setPositive(false)} />
                    <label htmlFor="ir-neg">{t('integration.negative')}</label>
                  </div>
                </fieldset>
              )}
              {actions.includes('complete') && (
                <fieldset>
                  <legend>{t('integration.completeChoice')}</legend>
                  <div className="inline-row">
                    <input id="ir-complete" type="radio" name="complete" checked={complete} onChange={() => setComplete(true)} />
                    <label htmlFor="ir-complete">{t('integration.complete')}</label>
                  </div>
                  <div className="inline-row">
                    <input id="ir-incomplete" type="radio" name="complete" checked={!complete} onChange={() => setComplete(false)} />
                    <label htmlFor="ir-incomplete">{t('integration.incomplete')}</label>
                  </div>
                </fieldset>
              )}
              {needsNote && (
                <Field name="note" label={t(noteLabel)} error={noteError}>
                  {(p) => <textarea {...p} rows={3} value={note} onChange={(e) => setNote(e.target.value)} />}
                </Field>
              )}
              <div className="form-actions">
                {actions.map((a) => (
                  <button key={a} type="button" className={`btn${a === 'refuse' ? ' btn-danger' : ' btn-primary'}`} disabled={busy} onClick={() => void act(a)} data-action={a}>
                    {t(`integration.action.${a}` as MessageKey)}
                  </button>
                ))}
              </div>
            </form>
          )}
        </div>
      </div>
      {q.data?.integrationRequest?.similarServices && (
        <div className="panel" data-testid="similar-services">
          <h2>{t('integration.similar')}</h2>
          {q.data.integrationRequest.similarServices.length === 0 ? (
            <p className="muted">{t('integration.noSimilar')}</p>
          ) : (
            <ul className="similar-list">
              {q.data.integrationRequest.similarServices.map((s) => (
                <li key={s.service.id}>
                  <Link to={`/services/${encodeURIComponent(s.service.serviceId)}`}>
                    <code>{s.service.serviceId}</code> {serviceName(s.service, lang)}
                  </Link>{' '}
                  <span className="badge" title={t('integration.similarity')}>
                    {fmt.number(Math.round(s.score * 100))}%
                  </span>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <div className="panel">
        <h2>{t('integration.steps')}</h2>
        <div className="table-wrap" role="region" aria-label={t('common.scrollTable')} tabIndex={0}>
          <table className="table table-cards" data-testid="ir-steps">
            <caption className="sr-only">{t('integration.steps')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('integration.step')}</th>
                <th scope="col">{t('integration.actor')}</th>
                <th scope="col">{t('integration.enteredAt')}</th>
                <th scope="col">{t('integration.due')}</th>
                <th scope="col">{t('integration.completedAt')}</th>
                <th scope="col">{t('integration.note')}</th>
              </tr>
            </thead>
            <tbody>
              {r.steps.map((s, i) => (
                <tr key={i}>
                  <td data-label={t('integration.step')}>{t(stateKey(s.state))}</td>
                  <td data-label={t('integration.actor')}>{s.party ? t(partyKey(s.party)) : t('common.none')}</td>
                  <td data-label={t('integration.enteredAt')}>{fmt.dateTime(s.enteredAt)}</td>
                  <td data-label={t('integration.due')}>
                    {s.dueAt ? fmt.dateTime(s.dueAt) : t('common.none')} {s.overdue && <span className="badge badge-overdue">{t('integration.overdue')}</span>}
                  </td>
                  <td data-label={t('integration.completedAt')}>{s.completedAt ? fmt.dateTime(s.completedAt) : t('common.none')}</td>
                  <td data-label={t('integration.note')}>{s.note ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </section>
  );
}
