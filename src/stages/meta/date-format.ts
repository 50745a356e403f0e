// `{{date 'FORMAT'}}` / `{{commit_date 'FORMAT'}}`: moment.js's format language (what
// docker/metadata-action renders with, English locale), with dayjs and its plugins for the
// calendar facts. Loaded only when a template formats a date.
import dayjs from 'dayjs';
import dayOfYear from 'dayjs/plugin/dayOfYear';
import isoWeek from 'dayjs/plugin/isoWeek';
import timezone from 'dayjs/plugin/timezone';
import utc from 'dayjs/plugin/utc';
import weekOfYear from 'dayjs/plugin/weekOfYear';
import weekYear from 'dayjs/plugin/weekYear';

dayjs.extend(utc);
dayjs.extend(timezone);
dayjs.extend(dayOfYear);
dayjs.extend(weekOfYear);
dayjs.extend(weekYear);
dayjs.extend(isoWeek);

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

// moment's English long-date formats, expanded before the other tokens are read.
const LOCALIZED: Record<string, string> = {
  LTS: 'h:mm:ss A',
  LT: 'h:mm A',
  L: 'MM/DD/YYYY',
  LL: 'MMMM D, YYYY',
  LLL: 'MMMM D, YYYY h:mm A',
  LLLL: 'dddd, MMMM D, YYYY h:mm A',
  l: 'M/D/YYYY',
  ll: 'MMM D, YYYY',
  lll: 'MMM D, YYYY h:mm A',
  llll: 'ddd, MMM D, YYYY h:mm A',
};
const LOCALIZED_TOKENS = /(\[[^[]*\])|(\\)?(LTS|LT|LL?L?L?|l{1,4})/g;

// moment's tokenizer: a [bracketed] literal, a backslash-escaped character, a token, or any
// other single character (printed as is).
const TOKENS =
  /(\[[^[]*\])|(\\)?([Hh]mm(ss)?|Mo|MM?M?M?|Do|DDDo|DD?D?D?|ddd?d?|do?|w[o|w]?|W[o|W]?|Qo?|N{1,5}|YYYYYY|YYYYY|YYYY|YY|y{2,4}|yo?|gg(ggg?)?|GG(GGG?)?|e|E|a|A|hh?|HH?|kk?|mm?|ss?|S{1,9}|x|X|zz?|ZZ?|.)/g;

type Zoned = dayjs.Dayjs;
type TokenFn = (d: Zoned, epochMs: number, zone: string) => string;

const pad = (value: number, width: number, forceSign = false): string => {
  const digits = String(Math.abs(value)).padStart(width, '0');
  return (value < 0 ? '-' : forceSign ? '+' : '') + digits;
};

/** moment's English ordinal: 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st... */
export function ordinal(n: number): string {
  const last = n % 10;
  const suffix =
    Math.floor((n % 100) / 10) === 1
      ? 'th'
      : last === 1
        ? 'st'
        : last === 2
          ? 'nd'
          : last === 3
            ? 'rd'
            : 'th';
  return `${n}${suffix}`;
}

function offset(d: Zoned, separator: string): string {
  const minutes = d.utcOffset();
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60), 2)}${separator}${pad(abs % 60, 2)}`;
}

/** The zone's abbreviation as English speakers write it (UTC, EST, CET, or GMT+9). */
function zoneName(epochMs: number, zone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'short' });
  return parts.formatToParts(new Date(epochMs)).find((p) => p.type === 'timeZoneName')?.value ?? '';
}

const hour12 = (d: Zoned) => d.hour() % 12 || 12;
const fraction = (width: number) => (d: Zoned) =>
  pad(d.millisecond(), 3).padEnd(width, '0').slice(0, width);

const TOKEN_FNS: Record<string, TokenFn> = {
  M: (d) => String(d.month() + 1),
  Mo: (d) => ordinal(d.month() + 1),
  MM: (d) => pad(d.month() + 1, 2),
  MMM: (d) => MONTHS[d.month()].slice(0, 3),
  MMMM: (d) => MONTHS[d.month()],
  Q: (d) => String(Math.floor(d.month() / 3) + 1),
  Qo: (d) => ordinal(Math.floor(d.month() / 3) + 1),
  D: (d) => String(d.date()),
  Do: (d) => ordinal(d.date()),
  DD: (d) => pad(d.date(), 2),
  DDD: (d) => String(d.dayOfYear()),
  DDDo: (d) => ordinal(d.dayOfYear()),
  DDDD: (d) => pad(d.dayOfYear(), 3),
  d: (d) => String(d.day()),
  do: (d) => ordinal(d.day()),
  dd: (d) => WEEKDAYS[d.day()].slice(0, 2),
  ddd: (d) => WEEKDAYS[d.day()].slice(0, 3),
  dddd: (d) => WEEKDAYS[d.day()],
  // The English locale's week starts on Sunday, so its weekday number is the plain day.
  e: (d) => String(d.day()),
  E: (d) => String(d.isoWeekday()),
  w: (d) => String(d.week()),
  wo: (d) => ordinal(d.week()),
  ww: (d) => pad(d.week(), 2),
  W: (d) => String(d.isoWeek()),
  Wo: (d) => ordinal(d.isoWeek()),
  WW: (d) => pad(d.isoWeek(), 2),
  Y: (d) => (d.year() <= 9999 ? pad(d.year(), 4) : `+${d.year()}`),
  YY: (d) => pad(d.year() % 100, 2),
  YYYY: (d) => pad(d.year(), 4),
  YYYYY: (d) => pad(d.year(), 5),
  YYYYYY: (d) => pad(d.year(), 6, true),
  // Era years: every date a build carries is in the Anno Domini era.
  y: (d) => String(d.year()),
  yy: (d) => pad(d.year(), 2),
  yyy: (d) => pad(d.year(), 3),
  yyyy: (d) => pad(d.year(), 4),
  yo: (d) => ordinal(d.year()),
  N: () => 'AD',
  NN: () => 'AD',
  NNN: () => 'AD',
  NNNN: () => 'Anno Domini',
  NNNNN: () => 'AD',
  gg: (d) => pad(d.weekYear() % 100, 2),
  gggg: (d) => pad(d.weekYear(), 4),
  ggggg: (d) => pad(d.weekYear(), 5),
  GG: (d) => pad(d.isoWeekYear() % 100, 2),
  GGGG: (d) => pad(d.isoWeekYear(), 4),
  GGGGG: (d) => pad(d.isoWeekYear(), 5),
  a: (d) => (d.hour() > 11 ? 'pm' : 'am'),
  A: (d) => (d.hour() > 11 ? 'PM' : 'AM'),
  H: (d) => String(d.hour()),
  HH: (d) => pad(d.hour(), 2),
  h: (d) => String(hour12(d)),
  hh: (d) => pad(hour12(d), 2),
  k: (d) => String(d.hour() || 24),
  kk: (d) => pad(d.hour() || 24, 2),
  m: (d) => String(d.minute()),
  mm: (d) => pad(d.minute(), 2),
  s: (d) => String(d.second()),
  ss: (d) => pad(d.second(), 2),
  Hmm: (d) => `${d.hour()}${pad(d.minute(), 2)}`,
  Hmmss: (d) => `${d.hour()}${pad(d.minute(), 2)}${pad(d.second(), 2)}`,
  hmm: (d) => `${hour12(d)}${pad(d.minute(), 2)}`,
  hmmss: (d) => `${hour12(d)}${pad(d.minute(), 2)}${pad(d.second(), 2)}`,
  x: (_d, ms) => String(ms),
  X: (_d, ms) => String(Math.floor(ms / 1000)),
  z: (_d, ms, zone) => zoneName(ms, zone),
  zz: (_d, ms, zone) => zoneName(ms, zone),
  Z: (d) => offset(d, ':'),
  ZZ: (d) => offset(d, ''),
};
for (let width = 1; width <= 9; width++) TOKEN_FNS['S'.repeat(width)] = fraction(width);

/**
 * Format `date` in `zone` as moment.js would. Without a format (docker/metadata-action passes
 * none when the format is written unquoted), moment's default: ISO 8601 with `Z` at UTC.
 */
export function formatMomentDate(date: Date, format: string | undefined, zone = 'UTC'): string {
  const d = dayjs(date).tz(zone);
  const epochMs = date.getTime();
  const pattern =
    format ?? (d.utcOffset() === 0 ? 'YYYY-MM-DDTHH:mm:ss[Z]' : 'YYYY-MM-DDTHH:mm:ssZ');
  const expanded = pattern.replace(
    LOCALIZED_TOKENS,
    (match, literal: string | undefined, escape: string | undefined, token: string) =>
      literal || escape ? match : LOCALIZED[token],
  );
  return expanded.replace(TOKENS, (match, literal: string | undefined) => {
    const fn = TOKEN_FNS[match];
    if (fn) return fn(d, epochMs, zone);
    // A [literal] prints without its brackets; anything else without its backslashes.
    return literal ? match.replace(/^\[|\]$/g, '') : match.replace(/\\/g, '');
  });
}
