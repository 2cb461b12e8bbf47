import { useRef, useState, type FormEvent } from 'react';
import { useI18n } from '../i18n';
import { gql } from '../api/client';
import { splitErrors } from '../api/errors';
import {
  ObjectsDocument,
  RegisterServiceDocument,
  ServiceDocument,
  UpdateServiceDocument,
  type Gateway,
  type Interaction,
  type Protocol,
  type ServiceFullFragment,
  type ServiceInput,
  type ServiceStatus,
  type SpecificationFormat,
} from '../api/generated';
import { Field } from '../components/Field';
import { ErrorBox, FormErrors, Loading } from '../components/Status';
import { PageTitle } from '../components/PageTitle';
import { useQuery } from '../components/useQuery';
import { ENUM_VALUES, enumLabel, type EnumGroup } from '../components/enumLabel';
import { missingFields, useFocusFirstError } from '../components/formErrors';
import { Link, navigate } from '../router';

export const SERVICE_FIELDS = [
  'objectId',
  'serviceId',
  'nameKk',
  'nameRu',
  'nameEn',
  'description',
  'gateway',
  'protocol',
  'interaction',
  'status',
  'version',
  'personalData',
  'testAddress',
  'productionAddress',
  'specification',
  'content',
  'format',
] as const;

export interface ServiceFormState {
  objectId: string;
  serviceId: string;
  nameKk: string;
  nameRu: string;
  nameEn: string;
  description: string;
  gateway: string;
  protocol: string;
  interaction: string;
  status: string;
  version: string;
  personalData: boolean;
  testAddress: string;
  productionAddress: string;
  specFormat: string;
  specContent: string;
}

export function serviceFormOf(s?: ServiceFullFragment): ServiceFormState {
  return {
    objectId: s?.object?.id ?? '',
    serviceId: s?.serviceId ?? '',
    nameKk: s?.nameKk ?? '',
    nameRu: s?.nameRu ?? '',
    nameEn: s?.nameEn ?? '',
    description: s?.description ?? '',
    gateway: s?.gateway ?? 'EGG',
    protocol: s?.protocol ?? 'REST',
    interaction: s?.interaction ?? 'SYNCHRONOUS',
    status: s?.status ?? 'IN_TESTING',
    version: s?.version ?? '1.0',
    personalData: s?.personalData ?? false,
    testAddress: s?.testAddress ?? '',
    productionAddress: s?.productionAddress ?? '',
    specFormat: s?.specification?.format ?? '',
    specContent: '',
  };
}

/** The form → the API's `ServiceInput` (empty optional strings become null). */
export function serviceInput(f: ServiceFormState): ServiceInput {
  const opt = (v: string) => (v.trim() ? v.trim() : null);
  return {
    serviceId: f.serviceId.trim(),
    nameKk: f.nameKk.trim(),
    nameRu: f.nameRu.trim(),
    nameEn: opt(f.nameEn),
    description: f.description.trim(),
    gateway: f.gateway as Gateway,
    protocol: f.protocol as Protocol,
    interaction: f.interaction as Interaction,
    status: f.status as ServiceStatus,
    version: f.version.trim(),
    personalData: f.personalData,
    testAddress: opt(f.testAddress),
    productionAddress: opt(f.productionAddress),
  };
}

/** Operator: register (no serviceId) or update a service. */
export function ServiceForm({ serviceId }: { serviceId?: string }) {
  const { t } = useI18n();
  const q = useQuery(ServiceDocument, { serviceId: serviceId ?? '' }, { skip: !serviceId });
  if (!serviceId) return <ServiceFormInner />;
  if (q.error !== undefined && !q.data) return <ErrorBox error={q.error} onRetry={q.reload} />;
  if (!q.data) return <Loading />;
  if (!q.data.service)
    return (
      <section>
        <PageTitle text={t('common.notFound')}>{t('common.notFound')}</PageTitle>
        <p>{t('services.notFound')}</p>
      </section>
    );
  return <ServiceFormInner existing={q.data.service} />;
}

function ServiceFormInner({ existing }: { existing?: ServiceFullFragment }) {
  const { t, lang } = useI18n();
  const [form, setForm] = useState<ServiceFormState>(() => serviceFormOf(existing));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [missing, setMissing] = useState<Record<string, string>>({});
  const [attempt, setAttempt] = useState(0);
  const formRef = useRef<HTMLFormElement>(null);
  useFocusFirstError(formRef, attempt);
  const objects = useQuery(ObjectsDocument, { first: 100 }, { skip: !!existing });
  const errs = splitErrors(error, SERVICE_FIELDS, lang, { network: t('common.networkError'), unexpected: t('common.unexpectedError') });
  const byField: Record<string, string | undefined> = { ...errs.byField, ...missing };
  const specErr = byField.specification ?? byField.content ?? byField.format;
  const set = <K extends keyof ServiceFormState>(k: K, v: ServiceFormState[K]) => {
    setForm((f) => ({ ...f, [k]: v }));
    setMissing(({ [k]: _, ...rest }) => rest);
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    const req: Array<keyof ServiceFormState> = ['serviceId', 'nameKk', 'nameRu', 'description', 'version'];
    if (!existing) req.unshift('objectId');
    const miss = missingFields(form, req, t('common.fieldRequired'));
    if (form.specContent.trim() && !form.specFormat) miss.specification = t('services.specFormatRequired');
    setMissing(miss);
    if (Object.keys(miss).length) {
      setAttempt((a) => a + 1);
      return;
    }
    const specification = form.specContent.trim() ? { format: form.specFormat as SpecificationFormat, content: form.specContent } : null;
    setBusy(true);
    try {
      if (existing) {
        const d = await gql(UpdateServiceDocument, {
          input: { id: existing.id, expectedVersion: existing.rowVersion, service: serviceInput(form), ...(specification ? { specification } : {}) },
        });
        navigate(`/services/${encodeURIComponent(d.updateService.service.serviceId)}?saved=1`);
      } else {
        const d = await gql(RegisterServiceDocument, { input: { objectId: form.objectId, service: serviceInput(form), specification } });
        navigate(`/services/${encodeURIComponent(d.registerService.service.serviceId)}?saved=1`);
      }
    } catch (err) {
      setError(err);
      setAttempt((a) => a + 1);
      setBusy(false);
    }
  }

  const text = (k: 'serviceId' | 'nameKk' | 'nameRu' | 'nameEn' | 'version' | 'testAddress' | 'productionAddress', required = false, hint?: string) => (
    <Field name={k} label={t(`services.${k}`)} hint={hint} error={byField[k]} required={required}>
      {(p) => <input {...p} type="text" value={form[k]} onChange={(e) => set(k, e.target.value)} />}
    </Field>
  );
  const select = (k: 'gateway' | 'protocol' | 'interaction' | 'status', group: EnumGroup, label: string) => (
    <Field name={k} label={label} error={byField[k]} required>
      {(p) => (
        <select {...p} value={form[k]} onChange={(e) => set(k, e.target.value)}>
          {ENUM_VALUES[group].map((v) => (
            <option key={v} value={v}>
              {enumLabel(t, group, v)}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
  const title = existing ? t('services.editTitle', { id: existing.serviceId }) : t('services.registerTitle');

  return (
    <section>
      <PageTitle text={title}>{title}</PageTitle>
      <form ref={formRef} onSubmit={submit} noValidate className="form form-wide" aria-busy={busy} data-testid="service-form">
        <FormErrors messages={errs.general} />
        {!existing && (
          <Field name="objectId" label={t('services.object')} hint={t('services.objectHint')} error={byField.objectId} required>
            {(p) => (
              <select {...p} value={form.objectId} onChange={(e) => set('objectId', e.target.value)}>
                <option value="" disabled>
                  {t('object.chooseObject')}
                </option>
                {(objects.data?.informatizationObjects.nodes ?? []).map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.shortName} — {lang === 'kk' ? o.nameKk : o.nameRu}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        {text('serviceId', true, t('services.serviceIdHint'))}
        {text('nameKk', true)}
        {text('nameRu', true)}
        {text('nameEn')}
        <Field name="description" label={t('services.description')} error={byField.description} required>
          {(p) => <textarea {...p} rows={4} value={form.description} onChange={(e) => set('description', e.target.value)} />}
        </Field>
        <div className="row">
          {select('gateway', 'gateway', t('services.facet.gateway'))}
          {select('protocol', 'protocol', t('services.facet.protocol'))}
          {select('interaction', 'interaction', t('services.interaction'))}
          {select('status', 'serviceStatus', t('services.facet.status'))}
        </div>
        {text('version', true)}
        <Field name="personalData" label={t('services.personalData')} error={byField.personalData} inline>
          {(p) => <input {...p} type="checkbox" checked={form.personalData} onChange={(e) => set('personalData', e.target.checked)} />}
        </Field>
        {text('testAddress')}
        {text('productionAddress', false, t('services.productionHint'))}
        <fieldset className={`group${specErr ? ' field-invalid' : ''}`} data-field="specification">
          <legend>{t('services.specification')}</legend>
          {existing?.specification && <p className="muted">{t('services.specKept')}</p>}
          <div className="field">
            <label htmlFor="spec-format">{t('services.specFormat')}</label>
            <select id="spec-format" value={form.specFormat} onChange={(e) => set('specFormat', e.target.value)}>
              <option value="">{t('common.none')}</option>
              {ENUM_VALUES.specificationFormat.map((v) => (
                <option key={v} value={v}>
                  {enumLabel(t, 'specificationFormat', v)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="spec-file">{t('services.specFile')}</label>
            <input
              id="spec-file"
              type="file"
              accept=".wsdl,.xml,.json,.yaml,.yml"
              onChange={(e) => {
                const file = e.target.files?.[0];
                if (file) void file.text().then((txt) => set('specContent', txt));
              }}
            />
          </div>
          <div className="field">
            <label htmlFor="spec-content">{t('services.specContent')}</label>
            <textarea id="spec-content" rows={5} className="mono" value={form.specContent} onChange={(e) => set('specContent', e.target.value)} />
          </div>
          {specErr && (
            <p className="field-error" role="alert">
              {specErr}
            </p>
          )}
        </fieldset>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? t('common.saving') : existing ? t('common.save') : t('services.register')}
          </button>
          <Link to={existing ? `/services/${encodeURIComponent(existing.serviceId)}` : '/services'} className="btn">
            {t('common.cancel')}
          </Link>
        </div>
      </form>
    </section>
  );
}
