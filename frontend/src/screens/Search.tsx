import { useEffect, useState, type FormEvent } from 'react';
import { useI18n, type MessageKey } from '../i18n';
import { useVocab } from '../vocab';
import { useAuth } from '../auth';
import { SearchDocument, type Gateway, type Protocol, type SearchFilterInput, type SearchKind, type ServiceStatus } from '../api/generated';
import { useQuery } from '../components/useQuery';
import { ErrorBox, Loading } from '../components/Status';
import { PageTitle } from '../components/PageTitle';
import { enumLabel, type EnumGroup } from '../components/enumLabel';
import { Link, navigate, useLocation } from '../router';
import { serviceName, toggleFacet } from './Services';

const PAGE = 20;

/** One piece of a highlighted text: plain, or a match. */
export interface HighlightPart {
  text: string;
  match: boolean;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Undoes the HTML escaping of the highlighter's plain text. */
export function unescapeHtml(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (all, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
    return ENTITIES[e] ?? all;
  });
}

/**
 * Splits the API's highlight (`<em>…</em>` around matches, everything else
 * HTML-escaped) into text parts. The result is rendered as React text, so
 * nothing from the index is ever parsed as HTML.
 */
export function highlightParts(html: string): HighlightPart[] {
  const out: HighlightPart[] = [];
  const re = /<em>([\s\S]*?)<\/em>/g;
  let last = 0;
  for (let m = re.exec(html); m; m = re.exec(html)) {
    if (m.index > last) out.push({ text: unescapeHtml(html.slice(last, m.index)), match: false });
    out.push({ text: unescapeHtml(m[1] ?? ''), match: true });
    last = m.index + m[0].length;
  }
  if (last < html.length) out.push({ text: unescapeHtml(html.slice(last)), match: false });
  return out.filter((p) => p.text !== '');
}

export function Highlighted({ html }: { html: string }) {
  return (
    <>
      {highlightParts(html).map((p, i) => (p.match ? <mark key={i}>{p.text}</mark> : <span key={i}>{p.text}</span>))}
    </>
  );
}

const FACETS: Array<{ name: string; group: EnumGroup | null }> = [
  { name: 'gateway', group: 'gateway' },
  { name: 'status', group: 'serviceStatus' },
  { name: 'protocol', group: 'protocol' },
  { name: 'personalData', group: null },
];

/** The URL (`q`, `kind`, facets) → the search filter. */
export function searchFilter(q: URLSearchParams): SearchFilterInput {
  const f: SearchFilterInput = {};
  const list = (k: string) => q.getAll(k).filter(Boolean);
  if (list('kind').length) f.kinds = list('kind') as SearchKind[];
  if (list('gateway').length) f.gateways = list('gateway') as Gateway[];
  if (list('status').length) f.statuses = list('status') as ServiceStatus[];
  if (list('protocol').length) f.protocols = list('protocol') as Protocol[];
  const pd = q.get('personalData');
  if (pd === 'true' || pd === 'false') f.personalData = pd === 'true';
  return f;
}

/** The search box (also on the landing page). */
export function SearchBox({ initial = '', autoFocus = false }: { initial?: string; autoFocus?: boolean }) {
  const { t } = useI18n();
  const [text, setText] = useState(initial);
  useEffect(() => setText(initial), [initial]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const q = text.trim();
    navigate(q ? `/search?q=${encodeURIComponent(q)}` : '/search');
  };
  return (
    <form role="search" className="search-box" onSubmit={submit} data-testid="search-form">
      <label htmlFor="search-input" className="sr-only">
        {t('search.label')}
      </label>
      <input id="search-input" type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder={t('search.placeholder')} autoFocus={autoFocus} maxLength={256} />
      <button type="submit" className="btn btn-primary">
        {t('search.submit')}
      </button>
    </form>
  );
}

const FIELD_KEYS: Record<string, MessageKey> = {
  titleKk: 'search.field.titleKk',
  titleRu: 'search.field.titleRu',
  titleEn: 'search.field.titleEn',
  shortName: 'search.field.shortName',
  code: 'search.field.code',
  description: 'search.field.description',
  body: 'search.field.body',
};

/** Public search over services and registered objects. */
export function Search() {
  const { t, fmt, lang } = useI18n();
  const vocab = useVocab();
  const { query } = useLocation();
  const text = query.get('q') ?? '';
  const offset = Math.max(0, Number(query.get('offset') ?? 0) || 0);
  const filter = searchFilter(query);
  const { state } = useAuth();
  // Public: visitors see the published services and the registered objects'
  // public fields; wait only while a stored session is being restored.
  const q = useQuery(SearchDocument, { query: text, filter, first: PAGE, offset }, { skip: !text.trim() || state.status === 'loading' });
  const res = text.trim() ? q.data?.search : undefined;
  const go = (next: URLSearchParams) => {
    next.delete('offset');
    navigate(`/search?${next.toString()}`, { replace: true });
  };
  const page = (o: number) => {
    const next = new URLSearchParams(query);
    if (o) next.set('offset', String(o));
    else next.delete('offset');
    navigate(`/search?${next.toString()}`);
  };
  const facetLabel = (name: string, value: string) => {
    const g = FACETS.find((f) => f.name === name)?.group;
    if (g) return enumLabel(t, g, value);
    return value === 'true' ? t('services.withPersonalData') : t('services.withoutPersonalData');
  };
  const selected = (name: string, value: string) => (name === 'personalData' ? query.get(name) === value : query.getAll(name).includes(value));

  return (
    <section data-testid="search">
      <PageTitle text={t('search.title')}>{t('search.title')}</PageTitle>
      <p className="lead">{t('search.lead')}</p>
      <SearchBox initial={text} autoFocus={!text} />
      {text.trim() && (
        <div className="with-facets">
          <aside className="panel facets" aria-label={t('services.facets')} data-testid="search-facets">
            <h2>{t('services.facets')}</h2>
            <fieldset className="facet" data-facet="kind">
              <legend>{t('search.kind')}</legend>
              {(['SERVICE', 'OBJECT'] as const).map((k) => (
                <div className="facet-value" key={k}>
                  <input id={`sfacet-kind-${k}`} type="checkbox" checked={query.getAll('kind').includes(k)} onChange={() => go(toggleFacet(query, 'kind', k))} />
                  <label htmlFor={`sfacet-kind-${k}`}>{t(k === 'SERVICE' ? 'search.kindService' : 'search.kindObject')}</label>
                </div>
              ))}
            </fieldset>
            {FACETS.map((f) => {
              const facet = res?.facets.find((x) => x.name === f.name);
              if (!facet?.values.length) return null;
              return (
                <fieldset key={f.name} className="facet" data-facet={f.name}>
                  <legend>{t(`services.facet.${f.name}` as 'services.facet.gateway')}</legend>
                  {facet.values.map((v) => {
                    const id = `sfacet-${f.name}-${v.value}`;
                    return (
                      <div className="facet-value" key={v.value}>
                        <input id={id} type="checkbox" checked={selected(f.name, v.value)} onChange={() => go(toggleFacet(query, f.name, v.value))} />
                        <label htmlFor={id}>
                          {facetLabel(f.name, v.value)} <span className="facet-count">{fmt.number(v.count)}</span>
                        </label>
                      </div>
                    );
                  })}
                </fieldset>
              );
            })}
          </aside>
          <div className="grow-min">
            {q.error !== undefined && <ErrorBox error={q.error} onRetry={q.reload} />}
            {!res && q.loading && <Loading />}
            {res && (
              <>
                <p className="search-count" aria-live="polite" data-testid="search-count">
                  {t('search.count', { count: fmt.number(res.totalCount), query: text })}
                </p>
                {res.hits.length === 0 && <p className="empty">{t('search.empty')}</p>}
                <ol className={`search-hits${q.loading ? ' stale' : ''}`} data-testid="search-hits" start={offset + 1}>
                  {res.hits.map((h, i) => {
                    const s = h.service;
                    // Signed in: the object as the caller may read it; visitors: its public fields.
                    const o = h.object ?? h.publicObject;
                    const owner = h.publicObject && (lang === 'kk' ? h.publicObject.organizationNameKk : h.publicObject.organizationNameRu);
                    const title = s ? serviceName(s, lang) : o ? (lang === 'kk' ? o.nameKk : o.nameRu) : '';
                    const to = s ? `/services/${encodeURIComponent(s.serviceId)}` : o ? `/objects/${o.id}` : '/';
                    return (
                      <li key={`${h.kind}-${s?.id ?? o?.id ?? i}`} className="search-hit panel" data-kind={h.kind}>
                        <p className="hit-kind">
                          <span className="badge">{t(h.kind === 'SERVICE' ? 'search.kindService' : 'search.kindObject')}</span>{' '}
                          {s && (
                            <>
                              <code>{s.serviceId}</code> · {enumLabel(t, 'gateway', s.gateway)} · {enumLabel(t, 'serviceStatus', s.status)}
                            </>
                          )}
                          {o && (
                            <>
                              {o.accountingCode && <code>{o.accountingCode}</code>} {o.shortName} · {vocab.label('objectKind', o.kind)} · {vocab.label('lifeCycleStage', o.stage)}
                              {owner && <span className="sub" data-testid="hit-owner"> · {owner}</span>}
                            </>
                          )}
                        </p>
                        <h2 className="hit-title">{s || (h.object && o?.accountingCode) ? <Link to={to}>{title}</Link> : title}</h2>
                        <dl className="hit-highlights">
                          {h.highlights.map((hl) => (
                            <div key={hl.field}>
                              <dt>{FIELD_KEYS[hl.field] ? t(FIELD_KEYS[hl.field]!) : hl.field}</dt>
                              <dd data-testid="highlight">
                                <Highlighted html={hl.html} />
                              </dd>
                            </div>
                          ))}
                        </dl>
                      </li>
                    );
                  })}
                </ol>
                <nav className="pager" aria-label={t('common.pagination')}>
                  <span className="pager-info">
                    {t('common.page', { page: fmt.number(Math.floor(offset / PAGE) + 1) })} · {t('common.total', { count: fmt.number(res.totalCount) })}
                  </span>
                  <span className="pager-buttons">
                    <button type="button" className="btn" disabled={offset === 0 || q.loading} onClick={() => page(Math.max(0, offset - PAGE))}>
                      {t('search.prev')}
                    </button>
                    <button type="button" className="btn" disabled={offset + PAGE >= res.totalCount || q.loading} onClick={() => page(offset + PAGE)}>
                      {t('common.nextPage')}
                    </button>
                  </span>
                </nav>
              </>
            )}
          </div>
        </div>
      )}
    </section>
  );
}
