import { useRef, useState, type FormEvent } from 'react';
import { useI18n } from '../i18n';
import { useVocab } from '../vocab';
import { gql } from '../api/client';
import { isVersionConflict, splitErrors } from '../api/errors';
import {
  CreateObjectDocument,
  ObjectDocument,
  ObjectWorkflowDocument,
  ObjectsDocument,
  UpdateObjectDocument,
  type CreateInformatizationObjectInput,
  type IntegrationExclusion,
  type LifeCycleStage,
  type ObjectFullFragment,
  type ObjectKind,
  type RelationKind,
  type UpdateInformatizationObjectInput,
} from '../api/generated';
import { Field } from '../components/Field';
import { ErrorBox, FormErrors, Loading, Notice } from '../components/Status';
import { PageTitle } from '../components/PageTitle';
import { useQuery } from '../components/useQuery';
import { missingFields, useFocusFirstError } from '../components/formErrors';
import { Link, navigate } from '../router';
import { groupRemarks, openRemarks } from '../components/remarks';

/** The fields the API may name in `extensions.field`. */
export const OBJECT_FIELDS = [
  'kind',
  'nameKk',
  'nameRu',
  'shortName',
  'purpose',
  'stage',
  'stageStartedOn',
  'containsPersonalData',
  'exclusion',
  'relations',
] as const;

export interface RelationRow {
  kind: string;
  targetId: string;
}

/** What the form holds: strings as typed, so nothing is lost on refusal. */
export interface ObjectForm {
  kind: string;
  nameKk: string;
  nameRu: string;
  shortName: string;
  purpose: string;
  stage: string;
  stageStartedOn: string;
  containsPersonalData: boolean;
  exclusion: string;
  relations: RelationRow[];
}

/** Today in Asia/Almaty, as `YYYY-MM-DD`. */
export function today(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Almaty' }).format(new Date());
}

export function emptyForm(): ObjectForm {
  return {
    kind: '',
    nameKk: '',
    nameRu: '',
    shortName: '',
    purpose: '',
    stage: 'CREATION',
    stageStartedOn: today(),
    containsPersonalData: false,
    exclusion: '',
    relations: [],
  };
}

export function formOf(o: ObjectFullFragment): ObjectForm {
  return {
    kind: o.kind,
    nameKk: o.nameKk,
    nameRu: o.nameRu,
    shortName: o.shortName,
    purpose: o.purpose,
    stage: o.stage,
    stageStartedOn: o.stageStartedOn,
    containsPersonalData: o.containsPersonalData,
    exclusion: o.exclusion ?? '',
    relations: o.relations.map((r) => ({ kind: r.kind, targetId: r.targetId })),
  };
}

const relKey = (rs: RelationRow[]) =>
  JSON.stringify(
    rs.map((r) => `${r.kind}:${r.targetId}`).sort(),
  );

function relationsInput(rs: RelationRow[]) {
  return rs.map((r) => ({ kind: r.kind as RelationKind, targetId: r.targetId }));
}

export function createInput(f: ObjectForm): CreateInformatizationObjectInput {
  return {
    kind: f.kind as ObjectKind,
    nameKk: f.nameKk,
    nameRu: f.nameRu,
    shortName: f.shortName,
    purpose: f.purpose,
    stage: f.stage as LifeCycleStage,
    ...(f.stageStartedOn ? { stageStartedOn: f.stageStartedOn } : {}),
    containsPersonalData: f.containsPersonalData,
    exclusion: f.exclusion ? (f.exclusion as IntegrationExclusion) : null,
    relations: relationsInput(f.relations),
  };
}

/**
 * Only what changed against `base`, with `expectedVersion`, so the history
 * records exactly the user's changes. Null when nothing changed.
 */
export function updateInput(id: string, version: number, base: ObjectForm, f: ObjectForm): UpdateInformatizationObjectInput | null {
  const input: UpdateInformatizationObjectInput = { id, expectedVersion: version };
  let changed = false;
  for (const k of ['kind', 'nameKk', 'nameRu', 'shortName', 'purpose'] as const) {
    if (f[k] !== base[k]) {
      (input as Record<string, unknown>)[k] = f[k];
      changed = true;
    }
  }
  if (f.stage !== base.stage || f.stageStartedOn !== base.stageStartedOn) {
    input.stage = f.stage as LifeCycleStage;
    input.stageStartedOn = f.stageStartedOn || null;
    changed = true;
  }
  if (f.containsPersonalData !== base.containsPersonalData) {
    input.containsPersonalData = f.containsPersonalData;
    changed = true;
  }
  if (f.exclusion !== base.exclusion) {
    input.exclusion = f.exclusion ? (f.exclusion as IntegrationExclusion) : null;
    changed = true;
  }
  if (relKey(f.relations) !== relKey(base.relations)) {
    input.relations = relationsInput(f.relations);
    changed = true;
  }
  return changed ? input : null;
}

/**
 * Three-way merge after a version conflict: fields the user left alone take
 * the latest values, fields the user changed keep the user's input.
 */
export function mergeLatest(oldBase: ObjectForm, mine: ObjectForm, latest: ObjectForm): ObjectForm {
  const out = { ...mine };
  for (const k of Object.keys(mine) as Array<keyof ObjectForm>) {
    const same = k === 'relations' ? relKey(mine.relations) === relKey(oldBase.relations) : mine[k] === oldBase[k];
    if (same) (out as Record<string, unknown>)[k] = latest[k];
  }
  return out;
}

/** Create (no id) or edit (id) an informatization object. */
export function ObjectEditor({ id }: { id?: string }) {
  const { t } = useI18n();
  const q = useQuery(ObjectDocument, { id: id ?? '' }, { skip: !id });
  const obj = q.data?.informatizationObject;
  if (!id) return <ObjectEditorForm />;
  if (q.error !== undefined && !obj) return <ErrorBox error={q.error} onRetry={q.reload} />;
  if (!q.data) return <Loading />;
  if (!obj)
    return (
      <section>
        <PageTitle text={t('common.notFound')}>{t('common.notFound')}</PageTitle>
        <p>{t('object.notFound')}</p>
      </section>
    );
  return <ObjectEditorForm key={obj.id} existing={obj} />;
}

function ObjectEditorForm({ existing }: { existing?: ObjectFullFragment }) {
  const { t, lang } = useI18n();
  const vocab = useVocab();
  const [base, setBase] = useState<{ form: ObjectForm; version: number } | null>(
    existing ? { form: formOf(existing), version: existing.version } : null,
  );
  const [form, setForm] = useState<ObjectForm>(() => (existing ? formOf(existing) : emptyForm()));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [missing, setMissing] = useState<Record<string, string>>({});
  const [attempt, setAttempt] = useState(0);
  const formRef = useRef<HTMLFormElement>(null);
  useFocusFirstError(formRef, attempt);

  // Candidate targets for relations: the objects the user may see.
  const targets = useQuery(ObjectsDocument, { first: 100 });
  const targetOptions = (targets.data?.informatizationObjects.nodes ?? []).filter((o) => o.id !== existing?.id);
  // The integrator's open remarks, shown next to the fields they concern.
  const wf = useQuery(ObjectWorkflowDocument, { id: existing?.id ?? '' }, { skip: !existing });
  const wfo = wf.data?.informatizationObject;
  const remarks = groupRemarks(wfo ? [...openRemarks(wfo.reviews), ...wfo.updateRemarks] : []).fields;

  const errs = splitErrors(error, OBJECT_FIELDS, lang, { network: t('common.networkError'), unexpected: t('common.unexpectedError') });
  const byField: Record<string, string | undefined> = { ...errs.byField, ...missing };
  const conflict = isVersionConflict(error);

  const set = <K extends keyof ObjectForm>(k: K, v: ObjectForm[K]) => {
    setForm((f) => ({ ...f, [k]: v }));
    setMissing(({ [k]: _, ...rest }) => rest);
  };
  const stageChanged = !base || form.stage !== base.form.stage;

  function setStage(stage: string) {
    setForm((f) => {
      if (!base) return { ...f, stage };
      // Back to the recorded stage: its recorded date. A new stage: today,
      // unless the user already typed a date.
      if (stage === base.form.stage) return { ...f, stage, stageStartedOn: base.form.stageStartedOn };
      const untouched = f.stageStartedOn === base.form.stageStartedOn;
      return { ...f, stage, stageStartedOn: untouched ? today() : f.stageStartedOn };
    });
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setNotice(null);
    setError(null);
    const required: Array<keyof ObjectForm> = ['kind', 'nameKk', 'nameRu', 'shortName', 'purpose', 'stage'];
    if (!base || form.stage !== base.form.stage) required.push('stageStartedOn');
    const miss = missingFields(form, required, t('common.fieldRequired'));
    if (form.relations.some((r) => !r.targetId)) miss.relations = t('common.fieldRequired');
    setMissing(miss);
    if (Object.keys(miss).length) {
      setAttempt((a) => a + 1);
      return;
    }
    if (base && existing) {
      const input = updateInput(existing.id, base.version, base.form, form);
      if (!input) {
        setNotice(t('object.noChanges'));
        return;
      }
      setBusy(true);
      try {
        const d = await gql(UpdateObjectDocument, { input });
        navigate(`/objects/${d.updateInformatizationObject.informatizationObject.id}?saved=updated`);
      } catch (err) {
        setError(err);
        setAttempt((a) => a + 1);
        setBusy(false);
      }
    } else {
      setBusy(true);
      try {
        const d = await gql(CreateObjectDocument, { input: createInput(form) });
        navigate(`/objects/${d.createInformatizationObject.informatizationObject.id}?saved=created`);
      } catch (err) {
        setError(err);
        setAttempt((a) => a + 1);
        setBusy(false);
      }
    }
  }

  async function loadLatest() {
    if (!existing || !base) return;
    setBusy(true);
    try {
      const d = await gql(ObjectDocument, { id: existing.id });
      const latest = d.informatizationObject;
      if (latest) {
        const latestForm = formOf(latest);
        setForm((mine) => mergeLatest(base.form, mine, latestForm));
        setBase({ form: latestForm, version: latest.version });
        setError(null);
        setNotice(t('object.mergedLatest', { version: latest.version }));
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const title = existing ? t('object.editTitle', { name: existing.shortName }) : t('object.createTitle');
  const text = (k: 'nameKk' | 'nameRu' | 'shortName', label: string, extra: { maxLength?: number; lang?: string } = {}) => (
    <Field name={k} label={label} error={byField[k]} remark={remarks[k]} required>
      {(p) => <input {...p} type="text" value={form[k]} onChange={(e) => set(k, e.target.value)} {...extra} />}
    </Field>
  );

  return (
    <section>
      <PageTitle text={title}>{title}</PageTitle>
      {existing && (
        <p className="muted">
          {t('object.version')}: {base?.version}
        </p>
      )}
      <form ref={formRef} onSubmit={submit} noValidate className="form form-wide" aria-busy={busy} data-testid="object-form">
        <div>
          {conflict ? (
            <FormErrors messages={[]}>
              <p>{t('object.conflict')}</p>
              <button type="button" className="btn" onClick={loadLatest} disabled={busy}>
                {t('object.reloadLatest')}
              </button>
            </FormErrors>
          ) : (
            <FormErrors messages={errs.general} />
          )}
        </div>
        {notice && <Notice>{notice}</Notice>}

        <Field name="kind" label={t('object.kind')} error={byField.kind} remark={remarks.kind} required>
          {(p) => (
            <select {...p} value={form.kind} onChange={(e) => set('kind', e.target.value)}>
              <option value="" disabled>
                —
              </option>
              {vocab.options('objectKind').map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <fieldset className="group">
          <legend>{t('object.namesHint')}</legend>
          {text('nameKk', t('object.nameKk'), { lang: 'kk' })}
          {text('nameRu', t('object.nameRu'), { lang: 'ru' })}
          {text('shortName', t('object.shortName'))}
        </fieldset>
        <Field name="purpose" label={t('object.purpose')} error={byField.purpose} remark={remarks.purpose} required>
          {(p) => <textarea {...p} rows={4} value={form.purpose} onChange={(e) => set('purpose', e.target.value)} />}
        </Field>

        <fieldset className="group">
          <legend>{t('object.lifeCycle')}</legend>
          <div className="row">
            <Field name="stage" label={t('object.stage')} error={byField.stage} remark={remarks.stage} required>
              {(p) => (
                <select {...p} value={form.stage} onChange={(e) => setStage(e.target.value)}>
                  {vocab.options('lifeCycleStage').map((o) => (
                    <option key={o.value} value={o.value}>
                      {o.label}
                    </option>
                  ))}
                  {!vocab.loaded && <option value={form.stage}>{form.stage}</option>}
                </select>
              )}
            </Field>
            <Field
              name="stageStartedOn"
              label={t('object.stageStartedOn')}
              error={byField.stageStartedOn}
              remark={remarks.stageStartedOn}
              hint={stageChanged && existing ? t('object.stageHint') : undefined}
              required={stageChanged}
            >
              {(p) => <input {...p} type="date" value={form.stageStartedOn} onChange={(e) => set('stageStartedOn', e.target.value)} />}
            </Field>
          </div>
        </fieldset>

        <Field name="containsPersonalData" label={t('object.containsPersonalData')} error={byField.containsPersonalData} remark={remarks.containsPersonalData} inline>
          {(p) => (
            <input {...p} type="checkbox" checked={form.containsPersonalData} onChange={(e) => set('containsPersonalData', e.target.checked)} />
          )}
        </Field>
        <Field name="exclusion" label={t('object.exclusion')} error={byField.exclusion} remark={remarks.exclusion}>
          {(p) => (
            <select {...p} value={form.exclusion} onChange={(e) => set('exclusion', e.target.value)}>
              <option value="">{t('object.noExclusion')}</option>
              {vocab.options('integrationExclusion').map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          )}
        </Field>

        <fieldset className={`group${byField.relations ? ' field-invalid' : ''}`} data-field="relations" aria-describedby={byField.relations ? 'relations-error' : undefined}>
          <legend>{t('object.relations')}</legend>
          {form.relations.length === 0 && <p className="muted">{t('object.relationNone')}</p>}
          {form.relations.map((r, i) => (
            <div className="row relation" key={i}>
              <div className="field">
                <label htmlFor={`rel-kind-${i}`}>{t('object.relationKind')}</label>
                <select
                  id={`rel-kind-${i}`}
                  value={r.kind}
                  onChange={(e) => set('relations', form.relations.map((x, j) => (j === i ? { ...x, kind: e.target.value } : x)))}
                >
                  {vocab.options('relationKind').map((o) => (
                    <option key={o.value} value={o.value}>
                      {o.label}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field grow">
                <label htmlFor={`rel-target-${i}`}>{t('object.relationTarget')}</label>
                <select
                  id={`rel-target-${i}`}
                  value={r.targetId}
                  onChange={(e) => set('relations', form.relations.map((x, j) => (j === i ? { ...x, targetId: e.target.value } : x)))}
                >
                  <option value="" disabled>
                    {t('object.chooseObject')}
                  </option>
                  {targetOptions.map((o) => (
                    <option key={o.id} value={o.id}>
                      {o.shortName} — {lang === 'kk' ? o.nameKk : o.nameRu}
                    </option>
                  ))}
                  {r.targetId && !targetOptions.some((o) => o.id === r.targetId) && (
                    <option value={r.targetId}>{t('object.missingTarget', { id: r.targetId })}</option>
                  )}
                </select>
              </div>
              <button
                type="button"
                className="btn btn-icon"
                aria-label={t('object.removeRelation', { n: i + 1 })}
                title={t('object.removeRelation', { n: i + 1 })}
                onClick={() => set('relations', form.relations.filter((_, j) => j !== i))}
              >
                ✕
              </button>
            </div>
          ))}
          <button type="button" className="btn" onClick={() => set('relations', [...form.relations, { kind: 'USES', targetId: '' }])}>
            + {t('object.addRelation')}
          </button>
          {byField.relations && (
            <p className="field-error" id="relations-error" role="alert">
              {byField.relations}
            </p>
          )}
        </fieldset>

        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? t('common.saving') : existing ? t('common.save') : t('common.create')}
          </button>
          <Link to={existing ? `/objects/${existing.id}` : '/objects'} className="btn">
            {t('common.cancel')}
          </Link>
        </div>
      </form>
    </section>
  );
}
