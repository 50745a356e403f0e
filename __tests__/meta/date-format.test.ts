// {{date}} / {{commit_date}} formats: moment.js's format language as docker/metadata-action
// renders it. Expected values are moment-timezone 0.6's output for the same date and zone.
import { formatMomentDate, ordinal } from '../../src/stages/meta/date-format';

describe('moment format tokens', () => {
  it.each<[string, string, string | null, string]>([
    ['2020-01-10T00:30:00.000Z', 'UTC', 'DDD DDDD DDDo', '10 010 10th'],
    ['2024-12-30T23:59:59.999Z', 'UTC', 'DDD DDDD E e d', '365 365 1 1 1'],
    // The zone decides the day: in Tokyo it is already Tuesday, day 366 of a leap year.
    ['2024-12-30T23:59:59.999Z', 'Asia/Tokyo', 'DDD DDDD E e dddd', '366 366 2 2 Tuesday'],
    // Locale (Sunday-first) week and week-year against ISO week and week-year.
    ['2027-01-03T00:00:00.000Z', 'UTC', 'gggg-[W]ww-e GGGG-[W]WW-E', '2027-W02-0 2026-W53-7'],
    ['2021-01-01T12:05:09.007Z', 'UTC', 'Mo Qo Do wo Wo do', '1st 1st 1st 1st 53rd 5th'],
    ['2021-01-01T12:05:09.007Z', 'America/New_York', 'LLLL', 'Friday, January 1, 2021 7:05 AM'],
    [
      '2021-01-01T12:05:09.007Z',
      'Asia/Kolkata',
      'llll Z ZZ',
      'Fri, Jan 1, 2021 5:35 PM +05:30 +0530',
    ],
    ['2021-01-01T12:05:09.007Z', 'UTC', 'hmmss kk a SSSS X', '120509 12 pm 0070 1609502709'],
    ['2021-01-01T12:05:09.007Z', 'UTC', '[week] W \\Y YYYYYY', 'week 53 Y +002021'],
    // No format (written unquoted in the template): moment's ISO 8601 default.
    ['2020-01-10T00:30:00.000Z', 'UTC', null, '2020-01-10T00:30:00Z'],
    ['2020-01-10T00:30:00.000Z', 'Asia/Tokyo', null, '2020-01-10T09:30:00+09:00'],
  ])('%s in %s as %s', (iso, zone, format, expected) => {
    expect(formatMomentDate(new Date(iso), format ?? undefined, zone)).toBe(expected);
  });

  it.each([
    [1, '1st'],
    [2, '2nd'],
    [3, '3rd'],
    [4, '4th'],
    [11, '11th'],
    [12, '12th'],
    [13, '13th'],
    [21, '21st'],
    [111, '111th'],
    [366, '366th'],
  ])('ordinal %d is %s', (n, expected) => {
    expect(ordinal(n)).toBe(expected);
  });
});
