import { useRef, useState, type DragEvent } from 'react';
import { useI18n, type Lang, type MessageKey } from '../i18n';
import { useAuth } from '../auth';
import { fetchFile, findingsOf, uploadWithProgress, type UploadFinding } from '../api/client';
import { splitErrors } from '../api/errors';
import { ObjectDocumentsDocument, ObjectWorkflowDocument, type DocumentFieldsFragment, type ObjectDocumentsQuery } from '../api/generated';
import { useQuery } from '../components/useQuery';
import { ErrorBox, Loading } from '../components/Status';
import { PageTitle } from '../components/PageTitle';
import { groupRemarks, openRemarks, openReview } from '../components/remarks';
import { Link } from '../router';

type KindInfo = ObjectDocumentsQuery['documentKinds'][number];

/** A finding's clause → the plain-words explanation key. */
export function findingKey(clause: string): MessageKey {
  const c = clause.trim();
  const iso = /^(?:ISO\s*19005-1\s*)?§?\s*(\d+)\.(\d+)/.exec(c);
  if (iso) {
    const [, major, minor] = iso;
    if (major === '6') {
      const m: Record<string, MessageKey> = {
        '1': 'finding.pdfStructure',
        '2': 'finding.pdfColour',
        '3': 'finding.pdfFonts',
        '4': 'finding.pdfTransparency',
        '5': 'finding.pdfAnnotations',
        '6': 'finding.pdfActions',
        '7': 'finding.pdfMetadata',
        '8': 'finding.pdfStructureTree',
        '9': 'finding.pdfForms',
      };
      return m[minor!] ?? 'finding.pdfOther';
    }
    return 'finding.pdfOther';
  }
  if (/^OPC/i.test(c)) return 'finding.docxPackage';
  if (/^WML/i.test(c)) return 'finding.docxContent';
  if (/^SEC/i.test(c)) return 'finding.docxSafety';
  return 'finding.other';
}

/** Where a finding's clause comes from, for the citation. */
export function clauseSource(clause: string): string {
  if (/^(OPC|WML)/i.test(clause)) return `ECMA-376 ${clause}`;
  if (/^SEC/i.test(clause)) return clause;
  if (/^\d/.test(clause)) return `ISO 19005-1 §${clause}`;
  return clause;
}

/** Sorts dropped files into the pair by extension or media type. */
export function sortPair(files: readonly File[]): { pdf?: File; docx?: File; other: File[] } {
  const out: { pdf?: File; docx?: File; other: File[] } = { other: [] };
  for (const f of files) {
    const n = f.name.toLowerCase();
    if (!out.pdf && (n.endsWith('.pdf') || f.type === 'application/pdf')) out.pdf = f;
    else if (!out.docx && (n.endsWith('.docx') || f.type.includes('wordprocessingml'))) out.docx = f;
    else out.other.push(f);
  }
  return out;
}

function kindName(k: KindInfo, lang: Lang): string {
  return k.names[lang] || k.names.ru;
}

export function useBytes() {
  const { fmt, t } = useI18n();
  return (n: number) => (n >= 1024 * 1024 ? t('docs.mb', { n: fmt.number(Math.round((n / 1024 / 1024) * 10) / 10) }) : t('docs.kb', { n: fmt.number(Math.max(1, Math.round(n / 1024))) }));
}

/** The technical documentation of an object: a PDF/A-1 + DOCX pair slot per Annex 1 kind. */
export function Documents({ id }: { id: string }) {
  const { t, lang } = useI18n();
  const { role } = useAuth();
  const q = useQuery(ObjectDocumentsDocument, { id });
  const wf = useQuery(ObjectWorkflowDocument, { id });
  if (q.error !== undefined && !q.data) return <ErrorBox error={q.error} onRetry={q.reload} />;
  if (!q.data) return <Loading />;
  const o = q.data.informatizationObject;
  if (!o)
    return (
      <section>
        <PageTitle text={t('common.notFound')}>{t('common.notFound')}</PageTitle>
        <p>{t('object.notFound')}</p>
      </section>
    );
  const w = wf.data?.informatizationObject;
  const underReview = w ? !!openReview(w.reviews) : false;
  const canUpload = role === 'OWNER' && !o.archived && !underReview;
  const remarks = groupRemarks(w ? [...openRemarks(w.reviews), ...w.updateRemarks] : []).documents;
  const title = t('docs.title', { name: o.shortName });

  return (
    <article>
      <p className="breadcrumb">
        <Link to={`/objects/${o.id}`}>← {o.shortName}</Link>
      </p>
      <PageTitle text={title}>{title}</PageTitle>
      <p className="lead">{t('docs.lead')}</p>
      {underReview && role === 'OWNER' && <p className="alert alert-info">{t('docs.underReview')}</p>}
      <ol className="doc-slots" data-testid="doc-slots">
        {q.data.documentKinds.map((k) => (
          <KindSlot
            key={k.code}
            objectId={o.id}
            info={k}
            required={k.requiredAtStages.includes(o.stage)}
            versions={o.documents.filter((d) => d.kind === k.code).sort((a, b) => b.version - a.version)}
            canUpload={canUpload}
            remarks={remarks[k.code]}
            lang={lang}
            onUploaded={() => {
              q.reload();
              wf.reload();
            }}
          />
        ))}
      </ol>
    </article>
  );
}

function KindSlot({
  objectId,
  info,
  required,
  versions,
  canUpload,
  remarks,
  lang,
  onUploaded,
}: {
  objectId: string;
  info: KindInfo;
  required: boolean;
  versions: DocumentFieldsFragment[];
  canUpload: boolean;
  remarks: string[] | undefined;
  lang: Lang;
  onUploaded(): void;
}) {
  const { t } = useI18n();
  const current = versions.find((d) => !d.superseded) ?? versions[0];
  const older = versions.filter((d) => d !== current);
  const headId = `kind-${info.code}`;
  const ok = current && current.pdfaReport.conforms && current.docxReport.conforms;
  return (
    <li className="panel doc-slot" aria-labelledby={headId} data-testid="doc-slot" data-kind={info.code}>
      <div className="card-head">
        <h2 id={headId}>
          {info.annexItem}. {kindName(info, lang)}
        </h2>
        {required && <span className="badge badge-soon">{t('docs.required')}</span>}
        {current ? (
          ok ? (
            <span className="badge badge-registered">{t('docs.conforming')}</span>
          ) : (
            <span className="badge badge-rejected">{t('docs.withFindings')}</span>
          )
        ) : (
          <span className="badge">{t('docs.none')}</span>
        )}
      </div>
      {info.standard && <p className="sub">{info.standard}</p>}
      {info.subDocuments.length > 0 && <p className="sub">{info.subDocuments.map((s) => s.names[lang] || s.names.ru).join('; ')}</p>}
      {remarks?.length ? (
        <div className="field-remark" data-testid="doc-remark">
          <span className="remark-label">{t('submit.remarkLabel')}</span>
          {remarks.map((x, i) => (
            <p key={i}>{x}</p>
          ))}
        </div>
      ) : null}
      {current && <VersionView d={current} current />}
      {older.length > 0 && (
        <details className="older">
          <summary>{t('docs.olderVersions', { n: older.length })}</summary>
          {older.map((d) => (
            <VersionView key={d.id} d={d} />
          ))}
        </details>
      )}
      {canUpload && <Uploader objectId={objectId} kind={info.code} kindLabel={kindName(info, lang)} hasCurrent={!!current} onUploaded={onUploaded} />}
    </li>
  );
}

function VersionView({ d, current }: { d: DocumentFieldsFragment; current?: boolean }) {
  const { t, fmt } = useI18n();
  const bytes = useBytes();
  const [error, setError] = useState<unknown>(null);
  const { lang } = useI18n();
  const errs = splitErrors(error, [], lang, { network: t('common.networkError'), unexpected: t('common.unexpectedError') });
  async function open(url: string, name: string, view: boolean) {
    setError(null);
    try {
      const blob = await fetchFile(url);
      const href = URL.createObjectURL(blob);
      if (view) window.open(href, '_blank', 'noopener');
      else {
        const a = document.createElement('a');
        a.href = href;
        a.download = name;
        document.body.appendChild(a);
        a.click();
        a.remove();
      }
      setTimeout(() => URL.revokeObjectURL(href), 60_000);
    } catch (e) {
      setError(e);
    }
  }
  const findings = [
    ...d.pdfaReport.findings.map((f) => ({ ...f, file: 'pdf' })),
    ...d.docxReport.findings.map((f) => ({ ...f, file: 'docx' })),
  ];
  return (
    <div className={`doc-version${current ? ' current' : ''}`} data-testid={current ? 'doc-current' : 'doc-older'}>
      <p>
        <strong>{t('docs.version', { n: d.version })}</strong> · {fmt.dateTime(d.uploadedAt)}
        {d.uploadedBy && <> · {d.uploadedBy.fullName}</>}
        {d.superseded && d.supersededAt && <> · {t('docs.supersededAt', { date: fmt.dateTime(d.supersededAt) })}</>}
      </p>
      <ul className="plain doc-files">
        <li>
          PDF/A-1: {d.pdf.fileName} ({bytes(d.pdf.size)}){' '}
          <button type="button" className="btn btn-small" onClick={() => void open(d.pdf.downloadUrl, d.pdf.fileName, true)}>
            {t('docs.view')}
          </button>{' '}
          <button type="button" className="btn btn-small" onClick={() => void open(d.pdf.downloadUrl, d.pdf.fileName, false)}>
            {t('docs.download')}
          </button>
        </li>
        <li>
          DOCX: {d.docx.fileName} ({bytes(d.docx.size)}){' '}
          <button type="button" className="btn btn-small" onClick={() => void open(d.docx.downloadUrl, d.docx.fileName, false)}>
            {t('docs.download')}
          </button>
        </li>
      </ul>
      <p className={d.textSimilarity < 0.5 ? 'similarity-low' : 'sub'}>
        {t('docs.similarity', { n: fmt.number(Math.round(d.textSimilarity * 100)) })}
        {d.textSimilarity < 0.5 && <> {t('docs.lowSimilarity')}</>}
      </p>
      {d.acceptedWithFindings && <p className="sub">{t('docs.acceptedWithFindings')}</p>}
      {findings.length > 0 && <Findings findings={findings} />}
      {errs.general.length > 0 && (
        <p className="field-error" role="alert">
          {errs.general.join(' ')}
        </p>
      )}
    </div>
  );
}

/** Conformance findings in plain words, each with its clause. */
export function Findings({ findings }: { findings: UploadFinding[] }) {
  const { t } = useI18n();
  return (
    <ul className="findings" data-testid="findings">
      {findings.map((f, i) => (
        <li key={i}>
          <strong>{t(findingKey(f.clause))}</strong> <span className="clause">({clauseSource(f.clause)})</span>
          {f.file && <span className="sub"> · {f.file === 'docx' ? 'DOCX' : 'PDF'}</span>}
          <div className="sub">
            {t('docs.detail')}: {f.message}
            {f.object && <> · {f.object}</>}
          </div>
        </li>
      ))}
    </ul>
  );
}

function Uploader({ objectId, kind, kindLabel, hasCurrent, onUploaded }: { objectId: string; kind: string; kindLabel: string; hasCurrent: boolean; onUploaded(): void }) {
  const { t, lang } = useI18n();
  const bytes = useBytes();
  const [pdf, setPdf] = useState<File | null>(null);
  const [docx, setDocx] = useState<File | null>(null);
  const [over, setOver] = useState(false);
  const [progress, setProgress] = useState<{ loaded: number; total: number } | null>(null);
  const [phase, setPhase] = useState<'idle' | 'uploading' | 'checking' | 'done'>('idle');
  const [error, setError] = useState<unknown>(null);
  const [missing, setMissing] = useState<string | null>(null);
  const pdfRef = useRef<HTMLInputElement>(null);
  const docxRef = useRef<HTMLInputElement>(null);
  const errs = splitErrors(error, [], lang, { network: t('common.networkError'), unexpected: t('common.unexpectedError') });
  const findings = findingsOf(error);
  const busy = phase === 'uploading' || phase === 'checking';

  function take(files: readonly File[]) {
    const s = sortPair(files);
    if (s.pdf) setPdf(s.pdf);
    if (s.docx) setDocx(s.docx);
    setMissing(s.other.length ? t('docs.unknownFiles', { names: s.other.map((f) => f.name).join(', ') }) : null);
    setPhase('idle');
  }
  function onDrop(e: DragEvent) {
    e.preventDefault();
    setOver(false);
    take(Array.from(e.dataTransfer.files));
  }
  async function upload() {
    setError(null);
    if (!pdf || !docx) {
      setMissing(t('docs.needBoth'));
      return;
    }
    setMissing(null);
    const form = new FormData();
    form.append('pdf', pdf, pdf.name);
    form.append('docx', docx, docx.name);
    setPhase('uploading');
    setProgress({ loaded: 0, total: pdf.size + docx.size });
    try {
      await uploadWithProgress(`/api/objects/${encodeURIComponent(objectId)}/documents/${kind}`, form, (loaded, total) => {
        setProgress({ loaded, total });
        if (loaded >= total) setPhase('checking');
      });
      setPhase('done');
      setPdf(null);
      setDocx(null);
      if (pdfRef.current) pdfRef.current.value = '';
      if (docxRef.current) docxRef.current.value = '';
      onUploaded();
    } catch (e) {
      setError(e);
      setPhase('idle');
    }
  }
  const pct = progress && progress.total ? Math.round((progress.loaded / progress.total) * 100) : 0;
  const pid = `up-${kind}`;

  return (
    <div
      className={`drop-zone${over ? ' over' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
      data-testid="drop-zone"
    >
      <p className="drop-hint">{hasCurrent ? t('docs.dropNew', { kind: kindLabel }) : t('docs.drop', { kind: kindLabel })}</p>
      <div className="row">
        <div className="field">
          <label htmlFor={`${pid}-pdf`}>{t('docs.pdfFile')}</label>
          <input id={`${pid}-pdf`} ref={pdfRef} type="file" accept=".pdf,application/pdf" data-testid="pdf-input" onChange={(e) => e.target.files?.[0] && setPdf(e.target.files[0])} />
          {pdf && <span className="sub">{bytes(pdf.size)}</span>}
        </div>
        <div className="field">
          <label htmlFor={`${pid}-docx`}>{t('docs.docxFile')}</label>
          <input
            id={`${pid}-docx`}
            ref={docxRef}
            type="file"
            accept=".docx,application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            data-testid="docx-input"
            onChange={(e) => e.target.files?.[0] && setDocx(e.target.files[0])}
          />
          {docx && <span className="sub">{bytes(docx.size)}</span>}
        </div>
      </div>
      <div className="form-actions">
        <button type="button" className="btn btn-primary" onClick={() => void upload()} disabled={busy} data-testid="upload-btn">
          {t('docs.upload')}
        </button>
      </div>
      {progress && phase !== 'idle' && (
        <div className="upload-progress" data-testid="upload-progress">
          <label htmlFor={`${pid}-progress`}>{phase === 'checking' ? t('docs.checking') : phase === 'done' ? t('docs.uploaded') : t('docs.uploading', { n: pct })}</label>
          <progress id={`${pid}-progress`} max={100} value={phase === 'checking' ? undefined : phase === 'done' ? 100 : pct} aria-valuetext={`${pct}%`} />
        </div>
      )}
      <div aria-live="polite">
        {missing && (
          <p className="field-error" role="alert">
            {missing}
          </p>
        )}
        {error !== null && (
          <div className="alert alert-error" role="alert" data-testid="upload-refused">
            <p className="alert-title">{t('docs.refused')}</p>
            {errs.general.map((m, i) => (
              <p key={i}>{m}</p>
            ))}
            {findings.length > 0 && <Findings findings={findings} />}
          </div>
        )}
      </div>
    </div>
  );
}
