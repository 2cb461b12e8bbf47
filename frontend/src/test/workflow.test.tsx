import { describe, expect, it, beforeEach, afterEach, vi } from 'vitest';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { resetSessionForTests, ApiError } from '../api/client';
import { apiError, mockGraphQL, renderWithProviders } from './helpers';
import { AccountRequest, accountRequestInput, EMPTY_ACCOUNT_REQUEST } from '../screens/AccountRequest';
import { Activate, linkProblem, passwordProblem } from '../screens/Activate';
import { AccountRequests } from '../screens/AccountRequests';
import { groupRemarks, openRemarks, remarksInput } from '../components/remarks';
import { serviceFilter, toggleFacet } from '../screens/Services';
import { serviceFormOf, serviceInput } from '../screens/ServiceForm';
import { entryOf } from '../screens/Calendar';
import { ENUM_VALUES, enumKey, enumLabel } from '../components/enumLabel';
import { catalogues, LANGS, translate } from '../i18n';
import type { ReviewFieldsFragment } from '../api/generated';

beforeEach(() => {
  resetSessionForTests();
  window.history.replaceState(null, '', '/');
});
afterEach(() => {
  vi.unstubAllGlobals();
});

const field = (name: string) => document.querySelector<HTMLElement>(`[data-field="${name}"]`)!;

function fillAccountRequest(bin: string) {
  const set = (name: string, value: string) => {
    const el = field(name).querySelector('input, select, textarea')!;
    fireEvent.change(el, { target: { value } });
  };
  set('bin', bin);
  set('organizationNameKk', 'Агенттік');
  set('organizationNameRu', 'Агентство');
  set('organizationKind', 'STATE_BODY');
  set('fullName', 'Дана Жұмабекова');
  set('position', 'Маман');
  set('email', ' dana@example.kz ');
  set('phone', '+7 701 000 00 00');
  set('basis', 'Приказ № 1');
}

describe('account request form', () => {
  it('maps the form to the input: trimmed, mail in the user language', () => {
    const input = accountRequestInput({ ...EMPTY_ACCOUNT_REQUEST, bin: ' 940140000385 ', email: ' a@b.kz ', organizationKind: 'STATE_BODY' }, 'kk');
    expect(input).toMatchObject({ bin: '940140000385', email: 'a@b.kz', organizationKind: 'STATE_BODY', language: 'KK' });
  });

  it('every control is labelled; empty required fields are all marked without calling the API', async () => {
    const calls = mockGraphQL({});
    renderWithProviders(<AccountRequest />);
    for (const label of ['BIN of the organization', 'Full name in Kazakh', 'Full name in Russian', 'Kind of entity', 'Full name', 'Position', 'E-mail', 'Phone', 'Basis for access']) {
      expect(screen.getAllByLabelText(new RegExp(label)).length).toBeGreaterThan(0);
    }
    fireEvent.click(screen.getByRole('button', { name: 'Send the application' }));
    await within(field('basis')).findByText('Fill in this field.');
    expect(document.querySelectorAll('.field-error')).toHaveLength(9);
    expect(calls).toHaveLength(0);
  });

  it('shows a refused BIN next to its field in the user language, keeps the input, then confirms with the due date', async () => {
    let n = 0;
    const calls = mockGraphQL({
      RequestAccount: () =>
        n++ === 0
          ? apiError('INVALID_INPUT', 'bin', 'a BIN is exactly 12 digits', 'БИН должен состоять ровно из 12 цифр', 'БСН дәл 12 цифрдан тұруы керек')
          : { data: { requestAccount: { accountRequest: { id: 'r1', status: 'PENDING', receivedAt: '2026-11-22T05:00:00Z', dueAt: '2026-11-24T19:00:00Z' } } } },
    });
    renderWithProviders(<AccountRequest />, { lang: 'ru' });
    fillAccountRequest('123');
    fireEvent.click(screen.getByRole('button', { name: 'Отправить заявку' }));
    await within(field('bin')).findByText('БИН должен состоять ровно из 12 цифр');
    expect((field('email').querySelector('input') as HTMLInputElement).value.trim()).toBe('dana@example.kz');
    expect((field('basis').querySelector('textarea') as HTMLTextAreaElement).value).toBe('Приказ № 1');
    expect(calls[0]!.variables).toMatchObject({ input: { bin: '123', email: 'dana@example.kz', language: 'RU' } });
    fireEvent.change(field('bin').querySelector('input')!, { target: { value: '940140000385' } });
    fireEvent.click(screen.getByRole('button', { name: 'Отправить заявку' }));
    const done = await screen.findByTestId('account-request-done');
    expect(done.textContent).toContain('dana@example.kz');
    expect(done.textContent).toMatch(/25[ .].*2026.*00:00/);
  });
});

describe('activation', () => {
  it('checks the password length (12–128) and the repeat locally', () => {
    expect(passwordProblem('short', 'short')).toBe('length');
    expect(passwordProblem('x'.repeat(129), 'x'.repeat(129))).toBe('length');
    expect(passwordProblem('a-long-password-1', 'a-long-password-2')).toBe('mismatch');
    expect(passwordProblem('a-long-password-1', 'a-long-password-1')).toBeNull();
  });

  it('tells expired, used and invalid links apart', () => {
    expect(linkProblem(new ApiError([{ code: 'EXPIRED', field: 'token', message: '' }]))).toBe('expired');
    expect(linkProblem(new ApiError([{ code: 'CONFLICT', message: '' }]))).toBe('used');
    expect(linkProblem(new ApiError([{ code: 'INVALID_INPUT', field: 'token', message: '' }]))).toBe('invalid');
    expect(linkProblem(new ApiError([{ code: 'INVALID_INPUT', field: 'password', message: '' }]))).toBeNull();
  });

  it('a short password is refused next to its field without a request; an expired link gets a clear message', async () => {
    const calls = mockGraphQL({
      ActivateAccount: () => ({ data: null, errors: [{ message: 'expired', extensions: { code: 'EXPIRED', field: 'token' } }] }),
    });
    renderWithProviders(<Activate token="tok" />, { lang: 'kk' });
    fireEvent.change(field('password').querySelector('input')!, { target: { value: 'short' } });
    fireEvent.change(field('confirm').querySelector('input')!, { target: { value: 'short' } });
    fireEvent.click(screen.getByRole('button', { name: 'Құпиясөзді орнату' }));
    await within(field('password')).findByText('Құпиясөз 12-ден 128-ге дейін таңбадан тұруы керек.');
    expect(calls).toHaveLength(0);
    fireEvent.change(field('password').querySelector('input')!, { target: { value: 'a-long-password-123' } });
    fireEvent.change(field('confirm').querySelector('input')!, { target: { value: 'a-long-password-123' } });
    fireEvent.click(screen.getByRole('button', { name: 'Құпиясөзді орнату' }));
    const problem = await screen.findByTestId('activate-problem');
    expect(problem.textContent).toContain('мерзімі өтті');
    expect(calls[0]!.variables).toEqual({ input: { token: 'tok', password: 'a-long-password-123' } });
  });
});

describe('account requests queue', () => {
  it('rejecting needs a reason; approving calls the API', async () => {
    const req = {
      id: 'r1', bin: '940140000385', organizationNameKk: 'Агенттік', organizationNameRu: 'Агентство', organizationKind: 'STATE_BODY',
      fullName: 'Дана', position: 'Маман', email: 'dana@example.kz', phone: '+7', basis: 'Приказ', status: 'PENDING',
      receivedAt: '2026-11-20T05:00:00Z', dueAt: '2026-11-21T19:00:00Z', overdue: true, decidedAt: null, decidedBy: null, reason: null,
    };
    const calls = mockGraphQL({
      AccountRequests: () => ({ data: { accountRequests: { totalCount: 1, pageInfo: { hasNextPage: false, endCursor: null }, nodes: [req] } } }),
      ApproveAccountRequest: () => ({ data: { approveAccountRequest: { accountRequest: { ...req, status: 'APPROVED' } } } }),
    });
    renderWithProviders(<AccountRequests />);
    await screen.findByTestId('overdue-badge');
    fireEvent.click(screen.getByRole('button', { name: 'Reject…' }));
    fireEvent.click(screen.getByRole('button', { name: 'Reject the application' }));
    await within(field('reason')).findByText('Fill in this field.');
    expect(calls.filter((c) => c.operationName === 'RejectAccountRequest')).toHaveLength(0);
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    fireEvent.click(screen.getByRole('button', { name: 'Approve' }));
    await screen.findByText(/activation link was sent to dana@example.kz/);
    expect(calls.find((c) => c.operationName === 'ApproveAccountRequest')!.variables).toEqual({ id: 'r1' });
  });
});

describe('remarks', () => {
  it('maps return-form rows: empty rows dropped, half-filled rows refused', () => {
    const r = remarksInput([
      { target: 'field:purpose', text: ' more detail ' },
      { target: '', text: '' },
      { target: 'doc:TERMS_OF_REFERENCE', text: 'attach' },
      { target: '', text: 'no target' },
    ]);
    expect(r.remarks).toEqual([{ field: 'purpose', text: 'more detail' }, { documentKind: 'TERMS_OF_REFERENCE', text: 'attach' }]);
    expect(r.invalid).toEqual([3]);
  });

  it('open remarks are those of the last decision when it was a return', () => {
    const review = (decision: ReviewFieldsFragment['decision'], text: string) =>
      ({ decision, remarks: [{ field: 'purpose', documentKind: null, text }] }) as unknown as ReviewFieldsFragment;
    expect(openRemarks([review('RETURNED', 'a')]).map((r) => r.text)).toEqual(['a']);
    expect(openRemarks([review('RETURNED', 'a'), review(null, '')])).toEqual([]);
    expect(openRemarks([review('RETURNED', 'a'), review('REGISTERED', '')])).toEqual([]);
    const g = groupRemarks([{ field: 'purpose', documentKind: null, text: 'x' }, { field: null, documentKind: 'CONTRACTS', text: 'y' }]);
    expect(g.fields).toEqual({ purpose: ['x'] });
    expect(g.documents).toEqual({ CONTRACTS: ['y'] });
  });
});

describe('service registry mappings', () => {
  it('facet selections in the URL become the API filter', () => {
    let q = new URLSearchParams();
    q = toggleFacet(q, 'gateway', 'EGG');
    q = toggleFacet(q, 'gateway', 'EEGG');
    q = toggleFacet(q, 'personalData', 'true');
    expect(serviceFilter(q)).toEqual({ gateways: ['EGG', 'EEGG'], personalData: true });
    q = toggleFacet(q, 'gateway', 'EGG');
    q = toggleFacet(q, 'personalData', 'true');
    expect(serviceFilter(q)).toEqual({ gateways: ['EEGG'] });
  });

  it('the service form maps empty optional strings to null', () => {
    const input = serviceInput({ ...serviceFormOf(), serviceId: ' S-1 ', nameKk: 'a', nameRu: 'b', description: 'd' });
    expect(input).toMatchObject({ serviceId: 'S-1', nameEn: null, testAddress: null, productionAddress: null, gateway: 'EGG', status: 'IN_TESTING' });
  });
});

describe('calendar', () => {
  it('maps listed days back to editable entries; substitute days are derived', () => {
    const day = { date: '2027-01-07', working: false, nameKk: 'k', nameRu: 'r', nameEn: 'e', basis: 'b', substituteFor: null };
    expect(entryOf({ ...day, kind: 'PUBLIC_HOLIDAY', religious: true })?.kind).toBe('RELIGIOUS_HOLIDAY');
    expect(entryOf({ ...day, kind: 'PUBLIC_HOLIDAY', religious: false })?.kind).toBe('HOLIDAY');
    expect(entryOf({ ...day, kind: 'WORKING_WEEKEND', religious: false, working: true })?.kind).toBe('WORKING_WEEKEND');
    expect(entryOf({ ...day, kind: 'SUBSTITUTE_DAY_OFF', religious: false, substituteFor: '2027-01-02' })).toBeNull();
  });
});

describe('enum labels outside the vocabulary query', () => {
  it('every value has a label in kk, ru and en', () => {
    for (const [group, values] of Object.entries(ENUM_VALUES)) {
      for (const v of values) {
        const k = enumKey(group as keyof typeof ENUM_VALUES, v);
        for (const l of LANGS) expect((catalogues[l] as Record<string, string>)[k], `${l} ${k}`).toBeTruthy();
      }
    }
    expect(enumLabel((k) => translate('ru', k), 'gateway', 'EEGG')).toContain('ВШЭП');
    expect(enumLabel((k) => translate('en', k), 'gateway', 'UNKNOWN')).toBe('UNKNOWN');
  });
});

void waitFor;

describe('documents', () => {
  it('explains findings in plain words by clause', async () => {
    const { findingKey, clauseSource } = await import('../screens/Documents');
    expect(findingKey('6.7.11')).toBe('finding.pdfMetadata');
    expect(findingKey('6.3.4')).toBe('finding.pdfFonts');
    expect(findingKey('OPC-2.1')).toBe('finding.docxPackage');
    expect(findingKey('SEC-1')).toBe('finding.docxSafety');
    expect(findingKey('weird')).toBe('finding.other');
    expect(clauseSource('6.7.11')).toBe('ISO 19005-1 §6.7.11');
    expect(clauseSource('WML-3')).toBe('ECMA-376 WML-3');
  });

  it('sorts dropped files into the pair', async () => {
    const { sortPair } = await import('../screens/Documents');
    const f = (name: string, type = '') => new File(['x'], name, { type });
    const s = sortPair([f('spec.DOCX'), f('scan.pdf', 'application/pdf'), f('notes.txt')]);
    expect(s.pdf?.name).toBe('scan.pdf');
    expect(s.docx?.name).toBe('spec.DOCX');
    expect(s.other.map((x) => x.name)).toEqual(['notes.txt']);
  });

  it('uploads with XMLHttpRequest, reports progress, and carries the findings of a refusal', async () => {
    const { uploadWithProgress, findingsOf } = await import('../api/client');
    const sent: Array<{ headers: Record<string, string>; body: unknown }> = [];
    let respond: { status: number; text: string } = { status: 201, text: '{"document":{"id":"d1"}}' };
    class FakeXHR {
      upload: { onprogress: ((e: { lengthComputable: boolean; loaded: number; total: number }) => void) | null } = { onprogress: null };
      onload: (() => void) | null = null;
      onerror: (() => void) | null = null;
      onabort: (() => void) | null = null;
      status = 0;
      responseText = '';
      headers: Record<string, string> = {};
      open() {}
      setRequestHeader(k: string, v: string) {
        this.headers[k] = v;
      }
      send(body: unknown) {
        sent.push({ headers: this.headers, body });
        setTimeout(() => {
          this.upload.onprogress?.({ lengthComputable: true, loaded: 50, total: 100 });
          this.upload.onprogress?.({ lengthComputable: true, loaded: 100, total: 100 });
          this.status = respond.status;
          this.responseText = respond.text;
          this.onload?.();
        }, 0);
      }
    }
    vi.stubGlobal('XMLHttpRequest', FakeXHR);
    const progress: number[] = [];
    const form = new FormData();
    const ok = await uploadWithProgress('/api/objects/o/documents/CONTRACTS', form, (l, t) => progress.push(Math.round((l / t) * 100)));
    expect(ok).toEqual({ document: { id: 'd1' } });
    expect(progress).toEqual([50, 100]);
    expect(sent[0]!.body).toBe(form);
    respond = {
      status: 422,
      text: JSON.stringify({
        errors: [
          {
            message: 'not PDF/A',
            extensions: { code: 'INVALID_INPUT', field: 'pdf', messages: { en: 'the PDF is not PDF/A-1', ru: 'PDF не PDF/A-1', kk: 'PDF PDF/A-1 емес' }, findings: [{ file: 'pdf', clause: '6.7.11', message: 'no pdfaid' }] },
          },
        ],
      }),
    };
    const err = await uploadWithProgress('/x', form, () => {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(findingsOf(err)).toEqual([{ file: 'pdf', clause: '6.7.11', message: 'no pdfaid' }]);
  });
});
