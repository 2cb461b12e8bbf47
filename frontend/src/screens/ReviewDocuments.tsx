import { useEffect, useState } from 'react';
import { useI18n } from '../i18n';
import { fetchFile } from '../api/client';
import { ReviewDocumentsDocument, type ReportFieldsFragment } from '../api/generated';
import { useQuery } from '../components/useQuery';
import { ErrorBox, Loading } from '../components/Status';
import { enumLabel } from '../components/enumLabel';
import { clauseSource, findingKey } from './Documents';

/** The similarity below which the copy may not show the whole draft. */
export const LOW_SIMILARITY = 0.9;

function Report({ title, report }: { title: string; report: ReportFieldsFragment }) {
  const { t } = useI18n();
  return (
    <div className="report">
      <h4>
        {title}: {report.conforms ? <span className="badge badge-registered">{t('rvdoc.conforms')}</span> : <span className="badge badge-overdue">{t('rvdoc.findings', { n: report.findings.length })}</span>}
      </h4>
      {report.findings.length > 0 && (
        <ul className="findings">
          {report.findings.map((f, i) => (
            <li key={i}>
              <strong>{t(findingKey(f.clause))}</strong> <span className="clause">({clauseSource(f.clause)})</span>
              <div className="sub" lang="en">
                {f.message}
              </div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The PDF, fetched with the bearer token and shown in the browser's viewer. */
function PdfFrame({ url, title }: { url: string; title: string }) {
  const { t } = useI18n();
  const [src, setSrc] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    let live = true;
    let made: string | null = null;
    setSrc(null);
    setError(undefined);
    fetchFile(url).then(
      (blob) => {
        if (!live) return;
        made = URL.createObjectURL(new Blob([blob], { type: 'application/pdf' }));
        setSrc(made);
      },
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
      if (made) URL.revokeObjectURL(made);
    };
  }, [url]);
  if (error !== undefined) return <ErrorBox error={error} />;
  if (!src) return <Loading label={t('rvdoc.loadingPdf')} />;
  return <iframe className="pdf-frame" src={src} title={title} data-testid="pdf-frame" />;
}

/**
 * The integrator's side-by-side view of the current documents: the PDF/A-1
 * copy in the browser's PDF viewer beside the DOCX draft's text, with both
 * checkers' reports and the text-similarity score.
 */
export function ReviewDocuments({ objectId }: { objectId: string }) {
  const { t, fmt } = useI18n();
  const q = useQuery(ReviewDocumentsDocument, { id: objectId });
  const docs = (q.data?.informatizationObject?.documents ?? []).filter((d) => !d.superseded);
  const [sel, setSel] = useState<string>('');
  const doc = docs.find((d) => d.id === sel) ?? docs[0];

  return (
    <section className="panel review-docs" aria-labelledby="rv-docs-h" data-testid="review-documents">
      <h2 id="rv-docs-h">{t('rvdoc.title')}</h2>
      {q.error !== undefined && <ErrorBox error={q.error} onRetry={q.reload} />}
      {!q.data && q.loading && <Loading />}
      {q.data && docs.length === 0 && <p className="muted">{t('rvdoc.none')}</p>}
      {doc && (
        <>
          <div className="field">
            <label htmlFor="rv-doc-select">{t('rvdoc.choose')}</label>
            <select id="rv-doc-select" value={doc.id} onChange={(e) => setSel(e.target.value)} data-testid="rv-doc-select">
              {docs.map((d) => (
                <option key={d.id} value={d.id}>
                  {enumLabel(t, 'documentKind', d.kind)} · v{d.version}
                </option>
              ))}
            </select>
          </div>
          <p data-testid="rv-similarity">
            {t('docs.similarity', { n: fmt.number(Math.round(doc.textSimilarity * 100)) })}{' '}
            {doc.textSimilarity < LOW_SIMILARITY && <span className="badge badge-overdue">{t('docs.lowSimilarity')}</span>}
            {doc.acceptedWithFindings && <span className="badge badge-soon">{t('rvdoc.acceptedWithFindings')}</span>}
          </p>
          <div className="side-by-side">
            <div className="side">
              <h3>
                {t('docs.pdfFile')} <span className="sub">{doc.pdf.fileName}</span>
              </h3>
              <PdfFrame url={doc.pdf.downloadUrl} title={`${t('docs.pdfFile')}: ${doc.pdf.fileName}`} />
            </div>
            <div className="side">
              <h3>
                {t('docs.docxFile')} <span className="sub">{doc.docx.fileName}</span>
              </h3>
              <div className="docx-text" tabIndex={0} role="region" aria-label={t('rvdoc.docxText')} data-testid="docx-text">
                {doc.docxText.trim() ? doc.docxText : <span className="muted">{t('rvdoc.noText')}</span>}
              </div>
            </div>
          </div>
          <div className="two-col">
            <Report title={t('docs.pdfFile')} report={doc.pdfaReport} />
            <Report title={t('docs.docxFile')} report={doc.docxReport} />
          </div>
        </>
      )}
    </section>
  );
}
