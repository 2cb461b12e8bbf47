import { describe, expect, it, beforeEach, afterEach, vi } from 'vitest';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { useI18n } from '../i18n';
import { OrganizationForm } from '../screens/Organizations';
import { SignIn } from '../screens/SignIn';
import { ObjectEditor } from '../screens/ObjectEditor';
import { resetSessionForTests } from '../api/client';
import { apiError, mockGraphQL, renderWithProviders } from './helpers';
import type { ObjectFullFragment } from '../api/generated';

beforeEach(() => {
  resetSessionForTests();
  window.history.replaceState(null, '', '/');
});
afterEach(() => {
  vi.unstubAllGlobals();
});

const field = (name: string) => document.querySelector<HTMLElement>(`[data-field="${name}"]`)!;

function LangButtons() {
  const { setLang } = useI18n();
  return (
    <>
      <button onClick={() => setLang('kk')}>to-kk</button>
      <button onClick={() => setLang('ru')}>to-ru</button>
    </>
  );
}

describe('organization form', () => {
  it('every control is labelled', () => {
    mockGraphQL({});
    renderWithProviders(<OrganizationForm onCreated={() => {}} />);
    for (const label of ['BIN', 'Full name in Kazakh', 'Full name in Russian', 'Kind of entity']) {
      expect(screen.getByLabelText(new RegExp(label))).toBeTruthy();
    }
  });

  it('shows a refused BIN next to the BIN field, in the user language, and keeps the input', async () => {
    const calls = mockGraphQL({
      CreateOrganization: () =>
        apiError('INVALID_INPUT', 'bin', 'a BIN is exactly 12 digits', 'БИН должен состоять ровно из 12 цифр', 'БСН дәл 12 цифрдан тұруы керек'),
    });
    renderWithProviders(
      <>
        <LangButtons />
        <OrganizationForm onCreated={() => {}} />
      </>,
    );
    fireEvent.change(screen.getByLabelText(/BIN/), { target: { value: '123' } });
    fireEvent.change(screen.getByLabelText(/Full name in Kazakh/), { target: { value: 'Министрлік' } });
    fireEvent.change(screen.getByLabelText(/Full name in Russian/), { target: { value: 'Министерство' } });
    fireEvent.change(screen.getByLabelText(/Kind of entity/), { target: { value: 'STATE_BODY' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));

    const err = await within(field('bin')).findByText('a BIN is exactly 12 digits');
    const input = within(field('bin')).getByRole('textbox');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(input.getAttribute('aria-describedby')).toContain(err.id);
    expect((input as HTMLInputElement).value).toBe('123');
    expect((screen.getByLabelText(/Full name in Russian/) as HTMLInputElement).value).toBe('Министерство');
    expect(within(field('nameKk')).queryByRole('alert')).toBeNull();
    expect(calls[0]!.headers['Accept-Language']).toBe('en');
    expect(calls[0]!.variables).toMatchObject({ input: { bin: '123', nameRu: 'Министерство', kind: 'STATE_BODY' } });

    // The same error follows a language switch.
    fireEvent.click(screen.getByText('to-kk'));
    await within(field('bin')).findByText('БСН дәл 12 цифрдан тұруы керек');
    fireEvent.click(screen.getByText('to-ru'));
    await within(field('bin')).findByText('БИН должен состоять ровно из 12 цифр');
  });

  it('marks every empty required field at once, without calling the API, and focuses the first', async () => {
    const calls = mockGraphQL({});
    renderWithProviders(<OrganizationForm onCreated={() => {}} />, { lang: 'kk' });
    fireEvent.change(screen.getByLabelText(/БСН/), { target: { value: '940140000385' } });
    fireEvent.click(screen.getByRole('button', { name: 'Құру' }));
    for (const name of ['nameKk', 'nameRu', 'kind']) {
      await within(field(name)).findByText('Бұл өрісті толтырыңыз.');
    }
    expect(within(field('bin')).queryByRole('alert')).toBeNull();
    expect(calls).toHaveLength(0);
    await waitFor(() => expect(document.activeElement).toBe(within(field('nameKk')).getByRole('textbox')));
  });

  it('resets after success and reports the new organization', async () => {
    mockGraphQL({
      CreateOrganization: (v) => ({
        data: {
          createOrganization: {
            organization: { id: '1', bin: (v.input as { bin: string }).bin, nameKk: 'Ұйым', nameRu: 'Организация', kind: 'STATE_BODY', createdAt: '2026-01-01T00:00:00Z' },
          },
        },
      }),
    });
    const created = vi.fn();
    renderWithProviders(<OrganizationForm onCreated={created} />);
    fireEvent.change(screen.getByLabelText(/BIN/), { target: { value: '940140000385' } });
    fireEvent.change(screen.getByLabelText(/Full name in Kazakh/), { target: { value: 'Ұйым' } });
    fireEvent.change(screen.getByLabelText(/Full name in Russian/), { target: { value: 'Организация' } });
    fireEvent.change(screen.getByLabelText(/Kind of entity/), { target: { value: 'STATE_BODY' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(created).toHaveBeenCalledWith('Организация'));
    expect((screen.getByLabelText(/BIN/) as HTMLInputElement).value).toBe('');
  });
});

describe('sign-in form', () => {
  it('shows an error without a field above the form', async () => {
    mockGraphQL({
      Login: () => apiError('UNAUTHENTICATED', undefined, 'wrong e-mail or password', 'неверный адрес или пароль', 'пошта немесе құпиясөз қате'),
    });
    renderWithProviders(<SignIn next={null} expired={false} />, { lang: 'ru' });
    fireEvent.change(screen.getByLabelText(/Электронная почта/), { target: { value: 'a@b.kz' } });
    fireEvent.change(screen.getByLabelText(/Пароль/), { target: { value: 'x' } });
    fireEvent.click(screen.getByRole('button', { name: 'Войти' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('неверный адрес или пароль');
    expect((screen.getByLabelText(/Электронная почта/) as HTMLInputElement).value).toBe('a@b.kz');
  });

  it('keeps the refresh token in sessionStorage only, and goes to the role home', async () => {
    mockGraphQL({
      Login: () => ({
        data: {
          login: {
            accessToken: 'acc',
            accessTokenExpiresAt: new Date(Date.now() + 900_000).toISOString(),
            refreshToken: 'ref',
            refreshTokenExpiresAt: new Date(Date.now() + 9e8).toISOString(),
            user: { id: 'u', email: 'a@b.kz', fullName: 'A', role: 'ADMIN', language: 'RU', organization: null },
          },
        },
      }),
    });
    renderWithProviders(<SignIn next={null} expired={false} />);
    fireEvent.change(screen.getByLabelText(/E-mail/), { target: { value: 'a@b.kz' } });
    fireEvent.change(screen.getByLabelText(/Password/), { target: { value: 'a-long-password-123' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(window.location.pathname).toBe('/admin/organizations'));
    expect(sessionStorage.getItem('archportal.refreshToken')).toBe('ref');
    expect(localStorage.getItem('archportal.refreshToken')).toBeNull();
    expect(JSON.stringify(localStorage)).not.toContain('acc');
  });
});

const OBJ: ObjectFullFragment = {
  id: 'o1',
  kind: 'INFORMATION_SYSTEM',
  nameKk: 'Жүйе',
  nameRu: 'Система',
  shortName: 'ИС',
  purpose: 'Цель',
  stage: 'CREATION',
  stageStartedOn: '2026-01-10',
  registrationStatus: 'DRAFT',
  accountingCode: null,
  archived: false,
  version: 3,
  updatedAt: '2026-01-10T00:00:00Z',
  organization: { id: 'org', nameKk: 'Ұйым', nameRu: 'Организация' },
  containsPersonalData: false,
  exclusion: null,
  createdAt: '2026-01-10T00:00:00Z',
  archivedAt: null,
  createdBy: { id: 'u', fullName: 'A' },
  relations: [],
  lifeCycle: [{ stage: 'CREATION', startedOn: '2026-01-10', recordedAt: '2026-01-10T00:00:00Z' }],
};

describe('object editor', () => {
  it('sends only the changed fields with expectedVersion; a stage change carries its date', async () => {
    const calls = mockGraphQL({
      Object: () => ({ data: { informatizationObject: OBJ } }),
      Objects: () => ({ data: { informatizationObjects: { totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, nodes: [] } } }),
      UpdateObject: () => apiError('INVALID_INPUT', 'stageStartedOn', 'a stage cannot begin before the previous one', 'ru', 'kk'),
    });
    renderWithProviders(<ObjectEditor id="o1" />);
    const stage = await screen.findByLabelText(/Life-cycle stage/);
    fireEvent.change(stage, { target: { value: 'PILOT_OPERATION' } });
    fireEvent.change(screen.getByLabelText(/Stage began on/), { target: { value: '2026-01-01' } });
    fireEvent.change(screen.getByLabelText(/Exclusion/), { target: { value: 'STATE_SECRETS' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await within(field('stageStartedOn')).findByText('a stage cannot begin before the previous one');
    const update = calls.find((c) => c.operationName === 'UpdateObject')!;
    expect(update.variables).toEqual({
      input: { id: 'o1', expectedVersion: 3, stage: 'PILOT_OPERATION', stageStartedOn: '2026-01-01', exclusion: 'STATE_SECRETS' },
    });
    // The refused input stays.
    expect((screen.getByLabelText(/Stage began on/) as HTMLInputElement).value).toBe('2026-01-01');
  });

  it('on CONFLICT explains it, keeps the input, and merges the latest version on request', async () => {
    let version = 3;
    const calls = mockGraphQL({
      Object: () => ({ data: { informatizationObject: { ...OBJ, version, nameRu: version > 3 ? 'Система (их правка)' : OBJ.nameRu } } }),
      Objects: () => ({ data: { informatizationObjects: { totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, nodes: [] } } }),
      UpdateObject: () =>
        apiError('CONFLICT', 'expectedVersion', 'the object was changed by someone else: reload and try again', 'ru', 'kk'),
    });
    renderWithProviders(<ObjectEditor id="o1" />);
    const purpose = await screen.findByLabelText(/Purpose and description/);
    fireEvent.change(purpose, { target: { value: 'Моя цель' } });
    version = 4;
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    const alert = await screen.findByText(/someone else changed this object/);
    expect(alert).toBeTruthy();
    expect((screen.getByLabelText(/Purpose and description/) as HTMLTextAreaElement).value).toBe('Моя цель');

    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Reload the current version' }));
    });
    await screen.findByText(/Version 4 loaded/);
    expect((screen.getByLabelText(/Full name in Russian/) as HTMLInputElement).value).toBe('Система (их правка)');
    expect((screen.getByLabelText(/Purpose and description/) as HTMLTextAreaElement).value).toBe('Моя цель');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(calls.filter((c) => c.operationName === 'UpdateObject')).toHaveLength(2));
    expect(calls.filter((c) => c.operationName === 'UpdateObject')[1]!.variables).toEqual({
      input: { id: 'o1', expectedVersion: 4, purpose: 'Моя цель' },
    });
  });

  it('creating sends every field', async () => {
    const calls = mockGraphQL({
      Objects: () => ({ data: { informatizationObjects: { totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, nodes: [] } } }),
      CreateObject: () => apiError('INVALID_INPUT', 'shortName', 'must not be empty', 'ru', 'kk'),
    });
    renderWithProviders(<ObjectEditor />);
    fireEvent.change(screen.getByLabelText(/Kind of object/), { target: { value: 'INFORMATION_SYSTEM' } });
    fireEvent.change(screen.getByLabelText(/Full name in Kazakh/), { target: { value: 'Жүйе' } });
    fireEvent.change(screen.getByLabelText(/Full name in Russian/), { target: { value: 'Система' } });
    fireEvent.change(screen.getByLabelText(/Purpose and description/), { target: { value: 'Цель' } });
    fireEvent.click(screen.getByLabelText(/Processes personal data/));
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    // The empty short name is caught before any request.
    await within(field('shortName')).findByText('Fill in this field.');
    expect(calls.find((c) => c.operationName === 'CreateObject')).toBeUndefined();
    fireEvent.change(screen.getByLabelText(/Short name/), { target: { value: 'ИС' } });
    expect(within(field('shortName')).queryByRole('alert')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    await within(field('shortName')).findByText('must not be empty');
    const create = calls.find((c) => c.operationName === 'CreateObject')!;
    expect(create.variables.input).toMatchObject({
      kind: 'INFORMATION_SYSTEM',
      nameKk: 'Жүйе',
      nameRu: 'Система',
      shortName: 'ИС',
      purpose: 'Цель',
      stage: 'CREATION',
      containsPersonalData: true,
      exclusion: null,
      relations: [],
    });
  });
});
