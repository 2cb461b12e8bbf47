import type { ReactNode } from 'react';
import { render } from '@testing-library/react';
import { vi } from 'vitest';
import { I18nProvider, type Lang } from '../i18n';
import { AuthProvider } from '../auth';
import { VocabularyProvider } from '../vocab';
import type { VocabulariesQuery } from '../api/generated';

const entry = (code: string, en: string, ru: string, kk: string) => ({ code, nameEn: en, nameRu: ru, nameKk: kk });

/** A small copy of what the API's `vocabulary` query returns. */
export const VOCAB: VocabulariesQuery = {
  organizationKind: [entry('STATE_BODY', 'State body', 'Государственный орган', 'Мемлекеттік орган')],
  role: [entry('OWNER', 'Owner', 'Владелец', 'Иеленуші'), entry('ADMIN', 'Administrator', 'Администратор', 'Әкімші')],
  objectKind: [entry('INFORMATION_SYSTEM', 'Information system', 'Информационная система', 'Ақпараттық жүйе')],
  lifeCycleStage: [
    entry('CREATION', 'Creation', 'Создание', 'Құру'),
    entry('PILOT_OPERATION', 'Pilot operation', 'Опытная эксплуатация', 'Тәжірибелік пайдалану'),
  ],
  registrationStatus: [entry('DRAFT', 'Draft', 'Черновик', 'Жоба')],
  integrationExclusion: [entry('STATE_SECRETS', 'State secrets', 'Государственные секреты', 'Мемлекеттік құпиялар')],
  relationKind: [entry('USES', 'Uses', 'Использует', 'Пайдаланады'), entry('PART_OF', 'Part of', 'Часть', 'Бөлігі')],
};

export function renderWithProviders(ui: ReactNode, { lang = 'en' as Lang } = {}) {
  return render(
    <I18nProvider lang={lang}>
      <AuthProvider>
        <VocabularyProvider initial={VOCAB}>{ui}</VocabularyProvider>
      </AuthProvider>
    </I18nProvider>,
  );
}

type Handler = (variables: Record<string, unknown>, headers: Record<string, string>) => unknown;

/**
 * Replaces `fetch` with a GraphQL fake: each operation name maps to a
 * function returning the JSON body. Returns the calls made.
 */
export function mockGraphQL(handlers: Record<string, Handler>) {
  const calls: Array<{ operationName: string; variables: Record<string, unknown>; headers: Record<string, string> }> = [];
  const fn = vi.fn(async (_url: string, init: RequestInit) => {
    const body = JSON.parse(String(init.body)) as { operationName: string; variables: Record<string, unknown> };
    const headers = init.headers as Record<string, string>;
    calls.push({ operationName: body.operationName, variables: body.variables, headers });
    const h = handlers[body.operationName];
    if (!h) throw new Error(`unexpected operation ${body.operationName}`);
    return new Response(JSON.stringify(h(body.variables, headers)), { status: 200, headers: { 'content-type': 'application/json' } });
  });
  vi.stubGlobal('fetch', fn);
  return calls;
}

/** An API error body as the server sends it. */
export function apiError(code: string, field: string | undefined, en: string, ru: string, kk: string) {
  const prefix = field ? `${field}: ` : '';
  return {
    data: null,
    errors: [
      {
        message: prefix + ru,
        extensions: { code, ...(field ? { field } : {}), messages: { kk: prefix + kk, ru: prefix + ru, en: prefix + en } },
      },
    ],
  };
}
