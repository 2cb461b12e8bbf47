import { describe, expect, it, beforeEach, afterEach, vi } from 'vitest';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { resetSessionForTests, signIn } from '../api/client';
import { apiError, mockGraphQL, renderWithProviders } from './helpers';
import { Dashboards, dashboardFilter, exportUrl } from '../screens/Dashboards';
import { Highlighted, highlightParts, Search, searchFilter, unescapeHtml } from '../screens/Search';
import { actionsFor, actsFor, INTEGRATION_PARTIES, INTEGRATION_STATES, IntegrationRequestNew, partyKey, stateKey } from '../screens/IntegrationRequest';
import { catalogues, LANGS, translate } from '../i18n';
import type { StatisticsQuery } from '../api/generated';
import { IntegrationRequests, integrationFilter, integrationOrder } from '../screens/IntegrationRequests';

beforeEach(() => {
  resetSessionForTests();
  window.history.replaceState(null, '', '/');
});
afterEach(() => {
  vi.unstubAllGlobals();
});

function session(role: string) {
  const payload = {
    accessToken: 'acc',
    accessTokenExpiresAt: new Date(Date.now() + 900_000).toISOString(),
    refreshToken: 'ref',
    refreshTokenExpiresAt: new Date(Date.now() + 9e8).toISOString(),
    user: { id: 'u', email: 'a@b.kz', fullName: 'A', role, language: 'EN', organization: null },
  };
  return { Login: () => ({ data: { login: payload } }), RefreshToken: () => ({ data: { refreshToken: payload } }) };
}

const field = (name: string) => document.querySelector<HTMLElement>(`[data-field="${name}"]`)!;

const STATS: StatisticsQuery = {
  statistics: {
    totalObjects: 7,
    objectsByStage: [
      { code: 'CREATION', count: 5 },
      { code: 'PILOT_OPERATION', count: 2 },
    ],
    objectsByKind: [{ code: 'INFORMATION_SYSTEM', count: 7 }],
    objectsByOrganization: [{ organizationId: 'o1', organization: { id: 'o1', nameKk: 'Агенттік', nameRu: 'Агентство' }, count: 7 }],
    objectsByRegistrationStatus: [{ code: 'DRAFT', count: 7 }],
    registrationsPerMonth: [
      { month: '2026-10', count: 1 },
      { month: '2026-11', count: 3 },
    ],
    reviewSla: { onTime: 4, late: 1, overduePending: 0, medianWorkingDays: 2, p90WorkingDays: 4.5 },
    overdueUpdates: 1,
    servicesByGateway: [{ code: 'EGG', count: 2 }],
    servicesByStatus: [{ code: 'IN_TESTING', count: 2 }],
    documentsByKind: [
      { code: 'CONTRACTS', count: 1 },
      { code: 'TERMS_OF_REFERENCE', count: 3 },
    ],
  },
};

describe('dashboards', () => {
  it('maps the URL filters to InformatizationObjectFilter (Almaty days, end of the last day excluded)', () => {
    const f = dashboardFilter(new URLSearchParams('kind=INFORMATION_SYSTEM&stage=CREATION&status=DRAFT&personalData=false&archived=true&from=2026-01-01&to=2026-01-31'));
    expect(f).toEqual({
      kinds: ['INFORMATION_SYSTEM'],
      stages: ['CREATION'],
      registrationStatuses: ['DRAFT'],
      containsPersonalData: false,
      includeArchived: true,
      registeredFrom: '2026-01-01T00:00:00+05:00',
      registeredTo: '2026-01-31T19:00:00.000Z',
    });
    expect(dashboardFilter(new URLSearchParams('from=nonsense'))).toEqual({});
  });

  it('builds export URLs named as the GraphQL filter, lists comma-separated', () => {
    expect(exportUrl('objects', 'csv', {})).toBe('/api/export/objects.csv');
    expect(exportUrl('objects', 'xlsx', { stages: ['CREATION', 'PILOT_OPERATION'], containsPersonalData: true })).toBe(
      '/api/export/objects.xlsx?stages=CREATION%2CPILOT_OPERATION&containsPersonalData=true',
    );
    // The services export knows only the organization of the object filter.
    expect(exportUrl('services', 'csv', { stages: ['CREATION'], organizationId: 'o1' })).toBe('/api/export/services.csv?organizationId=o1');
  });

  it('shows each chart with its numbers and labels from the vocabulary, in the user language', async () => {
    const calls = mockGraphQL({ Statistics: () => ({ data: STATS }) });
    window.history.replaceState(null, '', '/dashboards?stage=CREATION');
    renderWithProviders(<Dashboards />, { lang: 'ru' });
    const stage = await screen.findByTestId('chart-stage');
    expect(within(stage).getByRole('rowheader', { name: 'Создание' })).toBeTruthy();
    expect([...stage.querySelectorAll('[data-testid=chart-value]')].map((e) => e.textContent)).toEqual(['5', '2']);
    expect(screen.getByTestId('total-objects').textContent).toBe('7');
    expect(within(screen.getByTestId('chart-sla')).getByRole('rowheader', { name: 'Решено в срок' })).toBeTruthy();
    expect(within(screen.getByTestId('chart-gateway')).getByText('2')).toBeTruthy();
    const docs = screen.getByTestId('chart-documents');
    expect(within(docs).getByRole('rowheader', { name: 'Техническая спецификация (техническое задание)' })).toBeTruthy();
    expect([...docs.querySelectorAll('[data-testid=chart-value]')].map((e) => e.textContent)).toEqual(['1', '3']);
    expect((screen.getByRole('combobox', { name: 'Объекты по стадиям жизненного цикла' }) as HTMLSelectElement).value).toBe('CREATION');
    expect(calls[0]!.variables).toEqual({ filter: { stages: ['CREATION'] } });
    expect(screen.getByRole('link', { name: /GraphiQL/ }).getAttribute('href')).toBe('/graphql');
    expect(within(screen.getByTestId('export-objects')).getByRole('button', { name: 'XLSX' })).toBeTruthy();
  });

  it('an export refusal is shown next to its buttons in the user language', async () => {
    mockGraphQL({ Statistics: () => ({ data: STATS }) });
    const fake = globalThis.fetch as unknown as ReturnType<typeof vi.fn>;
    const graphql = fake.getMockImplementation() as (url: string, init: RequestInit) => Promise<Response>;
    fake.mockImplementation(async (url: string, init: RequestInit) => {
      if (String(url).startsWith('/api/export/')) return new Response(JSON.stringify(apiError('UNAUTHENTICATED', undefined, 'Sign in first.', 'Сначала войдите.', 'Алдымен кіріңіз.')), { status: 401 });
      return graphql(url, init);
    });
    renderWithProviders(<Dashboards />, { lang: 'kk' });
    await screen.findByTestId('chart-stage');
    fireEvent.click(within(screen.getByTestId('export-services')).getByRole('button', { name: 'CSV' }));
    expect(await within(screen.getByTestId('export-services')).findByRole('alert')).toHaveProperty('textContent', 'Алдымен кіріңіз.');
  });
});

describe('search', () => {
  it('splits highlights into text parts; markup in the text stays text', () => {
    expect(highlightParts('Получение <em>статуса</em> документа')).toEqual([
      { text: 'Получение ', match: false },
      { text: 'статуса', match: true },
      { text: ' документа', match: false },
    ]);
    expect(highlightParts('&lt;script&gt;alert(1)&lt;/script&gt; <em>&amp;x</em>')).toEqual([
      { text: '<script>alert(1)</script> ', match: false },
      { text: '&x', match: true },
    ]);
    expect(unescapeHtml('&#39;a&#x27; &quot;b&quot; &unknown;')).toBe(`'a' "b" &unknown;`);
  });

  it('renders highlights as text and <mark>, never as HTML', () => {
    renderWithProviders(
      <p data-testid="h">
        <Highlighted html={'&lt;img src=x onerror=alert(1)&gt; <em>салық</em>'} />
      </p>,
    );
    const el = screen.getByTestId('h');
    expect(el.querySelector('img')).toBeNull();
    expect(el.querySelector('mark')!.textContent).toBe('салық');
    expect(el.textContent).toBe('<img src=x onerror=alert(1)> салық');
  });

  it('maps the URL to the search filter', () => {
    expect(searchFilter(new URLSearchParams('q=x&kind=SERVICE&gateway=EGG&gateway=EEGG&personalData=true'))).toEqual({
      kinds: ['SERVICE'],
      gateways: ['EGG', 'EEGG'],
      personalData: true,
    });
  });

  it('searches for a signed-out visitor: a registered object shows its public fields and owner, without a link to the full object', async () => {
    const calls = mockGraphQL({
      Search: () => ({
        data: {
          search: {
            totalCount: 1,
            hits: [
              {
                kind: 'OBJECT',
                score: 1,
                highlights: [{ field: 'titleKk', html: 'Цифрлық <em>құжат</em> айналымы' }],
                service: null,
                object: null,
                publicObject: {
                  id: 'o1',
                  accountingCode: 'IO-2026-000001-01',
                  shortName: 'СЦД',
                  nameKk: 'Цифрлық құжат айналымы',
                  nameRu: 'Цифровой документооборот',
                  kind: 'INFORMATION_SYSTEM',
                  stage: 'CREATION',
                  organizationNameKk: 'Агенттік',
                  organizationNameRu: 'Агентство',
                },
              },
            ],
            facets: [],
          },
        },
      }),
    });
    window.history.replaceState(null, '', '/search?q=құжат');
    renderWithProviders(<Search />, { lang: 'kk' });
    const hits = await screen.findByTestId('search-hits');
    expect(within(hits).getByText('IO-2026-000001-01')).toBeTruthy();
    expect(within(hits).getByTestId('hit-owner').textContent).toContain('Агенттік');
    expect(within(hits).getByText('құжат').tagName).toBe('MARK');
    expect(within(hits).queryByRole('link')).toBeNull();
    expect(screen.queryByTestId('search-sign-in')).toBeNull();
    expect(calls.filter((c) => c.operationName === 'Search')).toHaveLength(1);
  });

  it('shows hits with highlights and facet counts; a facet goes to the URL', async () => {
    const calls = mockGraphQL({
      ...session('ANALYST'),
      Search: () => ({
        data: {
          search: {
            totalCount: 1,
            hits: [
              {
                kind: 'SERVICE',
                score: 1.5,
                highlights: [{ field: 'titleRu', html: 'Получение <em>статуса</em>' }],
                service: { id: 's1', serviceId: 'DOC-1', nameKk: 'Құжат', nameRu: 'Получение статуса', nameEn: 'Status', gateway: 'EGG', status: 'IN_TESTING' },
                object: null,
              },
            ],
            facets: [{ name: 'gateway', values: [{ value: 'EGG', count: 1 }] }],
          },
        },
      }),
    });
    await signIn('a@b.kz', 'a-long-password-123');
    window.history.replaceState(null, '', '/search?q=statsa');
    renderWithProviders(<Search />);
    const hits = await screen.findByTestId('search-hits');
    expect(within(hits).getByText('статуса').tagName).toBe('MARK');
    expect(screen.getByTestId('search-count').textContent).toBe('1 results for “statsa”');
    expect(calls.find((c) => c.operationName === 'Search')!.variables).toMatchObject({ query: 'statsa', filter: {}, offset: 0 });
    fireEvent.click(screen.getByLabelText(/EGG|E-government gateway/));
    await waitFor(() => expect(window.location.search).toContain('gateway=EGG'));
  });
});

describe('integration requests', () => {
  it('every state and party has a label in kk, ru and en', () => {
    for (const lang of LANGS) {
      for (const s of INTEGRATION_STATES) expect(catalogues[lang][stateKey(s)], `${lang} ${s}`).toBeTruthy();
      for (const p of INTEGRATION_PARTIES) expect(catalogues[lang][partyKey(p)], `${lang} ${p}`).toBeTruthy();
      expect(translate(lang, 'integration.title', { service: 'X' })).toContain('X');
    }
  });

  it('offers the step actions only to the role the request awaits', () => {
    expect(actsFor('INTEGRATOR', 'INTEGRATOR')).toBe(true);
    expect(actsFor('OWNER', 'INTEGRATOR')).toBe(false);
    expect(actsFor('OWNER', 'SERVICE_OWNER')).toBe(true);
    expect(actsFor('OWNER', 'INITIATOR')).toBe(true);
    expect(actsFor('OPERATOR', 'OPERATOR')).toBe(true);
    expect(actsFor('ANALYST', 'OPERATOR')).toBe(false);
    expect(actionsFor('OWNER_AGREEMENT')).toEqual(['sign', 'refuse']);
    expect(actionsFor('IN_PRODUCTION')).toEqual([]);
  });

  it('files the Annex 5 fields; an exclusion refusal is shown next to the consuming object, input kept', async () => {
    const calls = mockGraphQL({
      ConsumerObjects: () => ({ data: { informatizationObjects: { nodes: [{ id: 'obj-1', shortName: 'СЦД', nameKk: 'Жүйе', nameRu: 'Система', registrationStatus: 'REGISTERED' }] } } }),
      FileIntegrationRequest: () =>
        apiError(
          'INVALID_INPUT',
          'consumerObjectId',
          'the object falls under an exclusion (state secrets)',
          'объект подпадает под исключение (государственные секреты)',
          'объект ерекшелікке жатады (мемлекеттік құпиялар)',
        ),
    });
    renderWithProviders(<IntegrationRequestNew serviceId="DOC-1" />, { lang: 'ru' });
    await screen.findByRole('option', { name: /СЦД/ });
    fireEvent.click(screen.getByRole('button', { name: 'Подать заявку' }));
    // Everything empty is marked at once, without a request.
    expect(await within(field('basisLink')).findByText(/./, { selector: '.field-error' })).toBeTruthy();
    expect(calls.filter((c) => c.operationName === 'FileIntegrationRequest')).toHaveLength(0);
    const set = (name: string, value: string) => fireEvent.change(field(name).querySelector('input, select, textarea')!, { target: { value } });
    set('consumerObjectId', 'obj-1');
    set('basisLink', 'https://adilet.zan.kz/rus/docs/1');
    set('systemAddress', '10.0.0.1');
    set('purpose', 'Проверка статуса документа');
    fireEvent.click(screen.getByRole('button', { name: 'Подать заявку' }));
    expect(await within(field('consumerObjectId')).findByText('объект подпадает под исключение (государственные секреты)')).toBeTruthy();
    const sent = calls.find((c) => c.operationName === 'FileIntegrationRequest')!;
    expect(sent.variables).toEqual({
      input: { serviceId: 'DOC-1', consumerObjectId: 'obj-1', basisLink: 'https://adilet.zan.kz/rus/docs/1', systemAddress: '10.0.0.1', purpose: 'Проверка статуса документа', consumerNonState: false },
    });
    expect((field('purpose').querySelector('textarea') as HTMLTextAreaElement).value).toBe('Проверка статуса документа');
  });
});

describe('integration request list', () => {
  it('maps the URL to the filter and the order (filing date, newest first, by default)', () => {
    expect(integrationFilter(new URLSearchParams('state=TESTING&awaiting=OPERATOR&overdue=true&text=%20EGG%20'))).toEqual({
      states: ['TESTING'],
      awaiting: ['OPERATOR'],
      overdue: true,
      text: 'EGG',
    });
    expect(integrationOrder(new URLSearchParams())).toEqual({ field: 'FILED_AT', direction: 'DESC' });
    expect(integrationOrder(new URLSearchParams('sort=dueAt&dir=asc'))).toEqual({ field: 'DUE_AT', direction: 'ASC' });
  });

  it('lists requests with state, actor and overdue badge; sorting by due date goes to the URL and the query', async () => {
    const calls = mockGraphQL({
      IntegrationRequests: () => ({
        data: {
          integrationRequests: {
            totalCount: 1,
            pageInfo: { hasNextPage: false, endCursor: null },
            nodes: [
              {
                id: 'r1',
                state: 'ANALYSIS',
                awaiting: 'INTEGRATOR',
                dueAt: '2026-12-02T19:00:00Z',
                overdue: true,
                serviceId: 'DOC-1',
                consumerOrganizationName: 'Агентство',
                consumerShortName: 'СЦД',
                ownerOrganizationName: 'Министерство',
                createdAt: '2026-11-22T10:00:00Z',
              },
            ],
          },
        },
      }),
    });
    window.history.replaceState(null, '', '/integration-requests');
    renderWithProviders(<IntegrationRequests />, { lang: 'ru' });
    const table = await screen.findByTestId('ir-table');
    expect(within(table).getByText('Анализ интегратором')).toBeTruthy();
    expect(within(table).getByText('Сервисный интегратор')).toBeTruthy();
    expect(within(table).getByText('Просрочено')).toBeTruthy();
    expect(within(table).getByRole('link', { name: 'DOC-1' }).getAttribute('href')).toBe('/integration-requests/r1');
    fireEvent.click(within(table).getByRole('button', { name: /Срок/ }));
    await waitFor(() => expect(window.location.search).toBe('?sort=dueAt&dir=asc'));
    await waitFor(() => expect(calls.at(-1)!.variables).toMatchObject({ orderBy: { field: 'DUE_AT', direction: 'ASC' } }));
    expect(within(table).getByRole('columnheader', { name: /Срок/ }).getAttribute('aria-sort')).toBe('ascending');
  });
});
