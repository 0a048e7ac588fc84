import { describe, expect, it } from 'vitest';
import { caseTextSignals, claimsNotReceived, foldObfuscation, pressureHits, profanityHits, threatHits } from '../../../analysis/escalations/text';

describe('profanity', () => {
  it('sees through leet and spacing, not through clean words', () => {
    for (const s of ['This is bullshit', 'sh1t service', 'f***ing ridiculous', 'F U C K this', 'what a d@mn joke', 'fuuuuck', 'you are $h!t']) {
      expect(profanityHits(s).length, s).toBeGreaterThan(0);
    }
    for (const s of ['I read Dickens in Scunthorpe', 'scrap the order please', 'open 24/7, cost $45', 'the cockpit of a plane', 'Thanks for your help']) {
      expect(profanityHits(s), s).toEqual([]);
    }
    expect(foldObfuscation('h3ll0 w0rld 2024')).toBe('hello world 2024');
  });
});

describe('threats versus pressure', () => {
  it('flags intimidation and harm', () => {
    for (const s of ['I will find you.', "You'll regret this", 'I know where you live', 'watch your back', 'I am going to hurt the driver', 'I’ll come for you', 'you guys will pay for this']) {
      expect(threatHits(s).length, s).toBeGreaterThan(0);
    }
  });
  it('does not call legal recourse or complaints threats', () => {
    for (const s of ['See you in court.', 'My lawyer will hear about this.', 'I will dispute the charge with my bank.', 'I will find another store', 'You will regret nothing, great product', 'This killed my afternoon']) {
      expect(threatHits(s), s).toEqual([]);
    }
    expect(pressureHits('See you in court.').map((h) => h.phrase)).toEqual(['legal']);
    expect(pressureHits('I will leave 1 star reviews on every product you sell.').map((h) => h.phrase)).toEqual(['review threat']);
    expect(pressureHits('If this is not fixed today I will post about you everywhere.').map((h) => h.phrase)).toEqual(['public shaming']);
  });
});

describe('claims and case signals', () => {
  it('recognises item-not-received claims', () => {
    expect(claimsNotReceived('My package never arrived')).toBe(true);
    expect(claimsNotReceived("It hasn't arrived yet")).toBe(true);
    expect(claimsNotReceived('Arrived broken')).toBe(false);
  });
  it('combines signals with the injected NLP', () => {
    const s = caseTextSignals('Order never arrived. This is crap. I will find you.', { analyse: () => ({ sentiment: -0.5 }) });
    expect(s).toMatchObject({ sentiment: -0.5, threat: 1, notReceived: true, pressure: 0 });
    expect(s.profanity).toBeGreaterThan(0);
    expect(caseTextSignals(undefined, { analyse: () => ({ sentiment: 1 }) })).toMatchObject({ sentiment: 0, threat: 0, profanity: 0 });
  });
});
