import { describe, expect, it, beforeEach, afterEach, vi } from 'vitest';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { SignIn } from '../screens/SignIn';
import { resetSessionForTests } from '../api/client';
import { apiError, mockGraphQL, renderWithProviders } from './helpers';

beforeEach(() => {
  resetSessionForTests();
  window.history.replaceState(null, '', '/');
});
afterEach(() => {
  vi.unstubAllGlobals();
});

const session = {
  data: {
    login: {
      accessToken: 'acc',
      accessTokenExpiresAt: new Date(Date.now() + 900_000).toISOString(),
      refreshToken: 'ref',
      refreshTokenExpiresAt: new Date(Date.now() + 9e8).toISOString(),
      user: { id: 'u', email: 'a@b.kz', fullName: 'A', role: 'ADMIN', language: 'RU', organization: null },
    },
  },
};

const required = () =>
  apiError(
    'TOTP_REQUIRED',
    'totpCode',
    'enter the code from your authenticator app or a recovery code',
    'введите код из приложения-аутентификатора или код восстановления',
    'аутентификатор қосымшасындағы кодты немесе қалпына келтіру кодын енгізіңіз',
  );

describe('sign-in second step', () => {
  it('asks for the app code after TOTP_REQUIRED, keeping e-mail and password', async () => {
    const calls = mockGraphQL({
      Login: (v) => {
        const input = (v as { input: { totpCode?: string } }).input;
        if (!input.totpCode) return required();
        if (input.totpCode !== '123456')
          return apiError('INVALID_INPUT', 'totpCode', 'the verification code is wrong or was already used', 'код подтверждения неверен или уже использован', 'растау коды қате');
        return session;
      },
    });
    renderWithProviders(<SignIn next={null} expired={false} />);
    fireEvent.change(screen.getByLabelText(/E-mail/), { target: { value: 'a@b.kz' } });
    fireEvent.change(screen.getByLabelText(/Password/), { target: { value: 'a-long-password-123' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));

    // Second step: a code field, no error shown for the expected TOTP_REQUIRED.
    const codeInput = (await screen.findByLabelText(/Code from the app/)) as HTMLInputElement;
    expect(screen.getByTestId('totp-step').textContent).toContain('six-digit code');
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.queryByLabelText(/Password/)).toBeNull();
    expect(codeInput.getAttribute('autocomplete')).toBe('one-time-code');
    await waitFor(() => expect(document.activeElement).toBe(codeInput));

    // A wrong code: the API's message next to the code field.
    fireEvent.change(codeInput, { target: { value: '000000' } });
    fireEvent.click(screen.getByRole('button', { name: 'Verify and sign in' }));
    expect((await screen.findByRole('alert')).textContent).toContain('wrong or was already used');

    // The right code signs in with the same e-mail and password.
    fireEvent.change(screen.getByLabelText(/Code from the app/), { target: { value: '123456' } });
    fireEvent.click(screen.getByRole('button', { name: 'Verify and sign in' }));
    await waitFor(() => expect(window.location.pathname).toBe('/admin/organizations'));
    expect(calls.map((c) => (c.variables as { input: Record<string, unknown> }).input)).toEqual([
      { email: 'a@b.kz', password: 'a-long-password-123' },
      { email: 'a@b.kz', password: 'a-long-password-123', totpCode: '000000' },
      { email: 'a@b.kz', password: 'a-long-password-123', totpCode: '123456' },
    ]);
  });

  it('offers a recovery code instead, and can start over', async () => {
    const calls = mockGraphQL({
      Login: (v) => ((v as { input: { totpCode?: string } }).input.totpCode ? session : required()),
    });
    renderWithProviders(<SignIn next="/objects" expired={false} />, { lang: 'ru' });
    fireEvent.change(screen.getByLabelText(/Электронная почта/), { target: { value: 'a@b.kz' } });
    fireEvent.change(screen.getByLabelText(/Пароль/), { target: { value: 'pw-123456789' } });
    fireEvent.click(screen.getByRole('button', { name: 'Войти' }));
    await screen.findByLabelText(/Код из приложения/);

    // Start over goes back to the first step with the e-mail kept.
    fireEvent.click(screen.getByRole('button', { name: 'Начать заново' }));
    expect((screen.getByLabelText(/Электронная почта/) as HTMLInputElement).value).toBe('a@b.kz');
    fireEvent.change(screen.getByLabelText(/Пароль/), { target: { value: 'pw-123456789' } });
    fireEvent.click(screen.getByRole('button', { name: 'Войти' }));
    await screen.findByLabelText(/Код из приложения/);

    fireEvent.click(screen.getByRole('button', { name: 'Использовать код восстановления' }));
    const rc = screen.getByLabelText(/Код восстановления/) as HTMLInputElement;
    expect(screen.getByTestId('totp-step').textContent).toContain('кодов восстановления');
    fireEvent.change(rc, { target: { value: 'ABCDE-FGHIJ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Проверить и войти' }));
    await waitFor(() => expect(window.location.pathname).toBe('/objects'));
    expect((calls.at(-1)!.variables as { input: { totpCode: string } }).input.totpCode).toBe('ABCDE-FGHIJ');
  });
});
