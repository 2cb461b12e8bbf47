import { describe, expect, it } from 'vitest';
import { ApiError, networkError } from './client';
import { errorMessage, isVersionConflict, splitErrors } from './errors';

const texts = { network: 'NET', unexpected: 'UNEXPECTED' };
const binError = {
  code: 'INVALID_INPUT',
  field: 'bin',
  message: 'bin: БИН должен состоять ровно из 12 цифр',
  messages: { kk: 'bin: БСН дәл 12 цифрдан тұруы керек', ru: 'bin: БИН должен состоять ровно из 12 цифр', en: 'bin: a BIN is exactly 12 digits' },
};

describe('API errors for forms', () => {
  it('maps extensions.field to the field, in the chosen language, without the field prefix', () => {
    const e = new ApiError([binError]);
    expect(splitErrors(e, ['bin', 'nameKk'], 'en', texts)).toEqual({ byField: { bin: 'a BIN is exactly 12 digits' }, general: [] });
    expect(splitErrors(e, ['bin'], 'kk', texts).byField.bin).toBe('БСН дәл 12 цифрдан тұруы керек');
    expect(splitErrors(e, ['bin'], 'ru', texts).byField.bin).toBe('БИН должен состоять ровно из 12 цифр');
  });

  it('puts errors of fields the form does not show above the form', () => {
    const e = new ApiError([binError, { code: 'FORBIDDEN', message: 'x', messages: { en: 'not allowed for your role' } }]);
    expect(splitErrors(e, ['email'], 'en', texts)).toEqual({
      byField: {},
      general: ['a BIN is exactly 12 digits', 'not allowed for your role'],
    });
  });

  it('matches nested field paths to the form field', () => {
    const e = new ApiError([{ code: 'INVALID_INPUT', field: 'relations[0].targetId', message: 'm', messages: { en: 'bad target' } }]);
    expect(splitErrors(e, ['relations'], 'en', texts).byField).toEqual({ relations: 'bad target' });
  });

  it('explains network failures and unexpected exceptions', () => {
    expect(splitErrors(networkError(), [], 'en', texts).general).toEqual(['NET']);
    expect(splitErrors(new TypeError('boom'), [], 'en', texts).general).toEqual(['UNEXPECTED']);
    expect(splitErrors(null, [], 'en', texts)).toEqual({ byField: {}, general: [] });
  });

  it('falls back to the message when a language is missing', () => {
    expect(errorMessage({ code: 'X', message: 'plain' }, 'kk')).toBe('plain');
  });

  it('recognizes the optimistic-locking conflict', () => {
    expect(isVersionConflict(new ApiError([{ code: 'CONFLICT', field: 'expectedVersion', message: '' }]))).toBe(true);
    expect(isVersionConflict(new ApiError([{ code: 'CONFLICT', field: 'bin', message: '' }]))).toBe(false);
  });
});
