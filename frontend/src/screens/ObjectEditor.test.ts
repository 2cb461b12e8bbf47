import { describe, expect, it } from 'vitest';
import { emptyForm, mergeLatest, updateInput, type ObjectForm } from './ObjectEditor';

const base: ObjectForm = {
  ...emptyForm(),
  kind: 'INFORMATION_SYSTEM',
  nameKk: 'kk',
  nameRu: 'ru',
  shortName: 's',
  purpose: 'p',
  stage: 'CREATION',
  stageStartedOn: '2026-01-01',
  exclusion: 'STATE_SECRETS',
  relations: [{ kind: 'USES', targetId: 'a' }],
};

describe('updateInput', () => {
  it('is null when nothing changed, even with relations reordered', () => {
    expect(updateInput('id', 1, base, { ...base, relations: [...base.relations] })).toBeNull();
  });
  it('clears the exclusion with an explicit null', () => {
    expect(updateInput('id', 1, base, { ...base, exclusion: '' })).toEqual({ id: 'id', expectedVersion: 1, exclusion: null });
  });
  it('sends the complete new set of relations', () => {
    const rels = [...base.relations, { kind: 'PART_OF', targetId: 'b' }];
    expect(updateInput('id', 2, base, { ...base, relations: rels })).toEqual({ id: 'id', expectedVersion: 2, relations: rels });
  });
});

describe('mergeLatest', () => {
  it('takes the latest values where the user changed nothing, keeps the user input elsewhere', () => {
    const mine = { ...base, purpose: 'mine' };
    const latest = { ...base, nameRu: 'theirs', purpose: 'theirs too' };
    expect(mergeLatest(base, mine, latest)).toEqual({ ...base, nameRu: 'theirs', purpose: 'mine' });
  });
});
