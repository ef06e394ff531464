// Intl behaviour, one line per case, for comparing two Node runtimes byte for byte (issue 20).
// Plain CommonJS run by the runtime under test (`node intl-probe.cjs`), so it needs no build.
// Every case is isolated: a runtime without ICU prints what it does instead of stopping, and
// regular expressions are built at run time, because V8 without ICU rejects \p{…} at parse time.
'use strict';

const when = new Date(Date.UTC(2026, 0, 15, 13, 45, 30, 250));
const cases = [];
const add = (name, fn) => cases.push([name, fn]);

// DateTimeFormat and NumberFormat in de-DE, ja-JP and ar-EG.
for (const locale of ['de-DE', 'ja-JP', 'ar-EG']) {
  add(`${locale} date full`, () => new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'long', timeZone: 'UTC' }).format(when));
  add(`${locale} date parts`, () =>
    new Intl.DateTimeFormat(locale, { weekday: 'short', month: 'long', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZone: 'Asia/Tokyo' })
      .formatToParts(when)
      .map((p) => `${p.type}=${p.value}`)
      .join('|'),
  );
  add(`${locale} date range`, () => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).formatRange(when, new Date(when.getTime() + 9 * 864e5)));
  add(`${locale} number`, () => new Intl.NumberFormat(locale).format(1234567.891));
  add(`${locale} currency EUR`, () => new Intl.NumberFormat(locale, { style: 'currency', currency: 'EUR' }).format(-1234.5));
  add(`${locale} currency JPY`, () => new Intl.NumberFormat(locale, { style: 'currency', currency: 'JPY', currencyDisplay: 'name' }).format(1234));
  add(`${locale} currency EGP accounting`, () => new Intl.NumberFormat(locale, { style: 'currency', currency: 'EGP', currencySign: 'accounting' }).format(-42.1));
  add(`${locale} unit km/h`, () => new Intl.NumberFormat(locale, { style: 'unit', unit: 'kilometer-per-hour', unitDisplay: 'long' }).format(88.5));
  add(`${locale} unit kB short`, () => new Intl.NumberFormat(locale, { style: 'unit', unit: 'kilobyte' }).format(2048));
  add(`${locale} compact short`, () => new Intl.NumberFormat(locale, { notation: 'compact' }).format(1234567));
  add(`${locale} compact long`, () => new Intl.NumberFormat(locale, { notation: 'compact', compactDisplay: 'long' }).format(98765432));
  add(`${locale} percent`, () => new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(0.4567));
  add(`${locale} toLocaleString`, () => `${(1234.5).toLocaleString(locale)} ${when.toLocaleString(locale, { timeZone: 'UTC' })}`);
}

// Collation.
const words = ['ä', 'a', 'z', 'ö', 'o', 'å', 'Äpfel', 'Zebra', 'apple', 'öl', 'Ost', 'ß', 'ss'];
for (const locale of ['sv', 'de']) {
  add(`${locale} collator sort`, () => [...words].sort(new Intl.Collator(locale).compare).join(' '));
  add(`${locale} localeCompare`, () => ['ä'.localeCompare('z', locale), 'ö'.localeCompare('o', locale), 'a'.localeCompare('A', locale, { sensitivity: 'base' })].join(','));
}
add('de phonebook', () => [...words].sort(new Intl.Collator('de-u-co-phonebk').compare).join(' '));
add('numeric collation', () => ['a10', 'a2', 'a1'].sort(new Intl.Collator('en', { numeric: true }).compare).join(' '));

// Segmentation.
const seg = (locale, granularity, text) => [...new Intl.Segmenter(locale, { granularity }).segment(text)].map((s) => (granularity === 'word' ? `${s.segment}${s.isWordLike ? '*' : ''}` : s.segment)).join('|');
add('graphemes emoji', () => seg('en', 'grapheme', '👨‍👩‍👧‍👦🇸🇪e\u0301👍🏽'));
add('words thai', () => seg('th', 'word', 'สวัสดีครับ ยินดีต้อนรับ'));
add('words ja', () => seg('ja', 'word', '今日は良い天気です。'));
add('sentences en', () => seg('en', 'sentence', 'Mr. Smith went. He came back! Did he?'));

// Plural rules, relative time, lists, display names.
add('plural ar', () => [0, 1, 2, 3, 11, 100].map((n) => new Intl.PluralRules('ar-EG').select(n)).join(','));
add('plural en ordinal', () => [1, 2, 3, 4, 11, 21].map((n) => new Intl.PluralRules('en', { type: 'ordinal' }).select(n)).join(','));
add('plural ru', () => [1, 2, 5, 21, 1.5].map((n) => new Intl.PluralRules('ru').select(n)).join(','));
for (const locale of ['de-DE', 'ja-JP', 'ar-EG']) {
  add(`${locale} relative`, () => [new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }).format(-1, 'day'), new Intl.RelativeTimeFormat(locale).format(3, 'week')].join(' / '));
  add(`${locale} list`, () => [new Intl.ListFormat(locale).format(['A', 'B', 'C']), new Intl.ListFormat(locale, { type: 'disjunction' }).format(['A', 'B'])].join(' / '));
  add(`${locale} display names`, () =>
    [
      new Intl.DisplayNames(locale, { type: 'region' }).of('SE'),
      new Intl.DisplayNames(locale, { type: 'language' }).of('pt-BR'),
      new Intl.DisplayNames(locale, { type: 'currency' }).of('JPY'),
      new Intl.DisplayNames(locale, { type: 'script' }).of('Grek'),
    ].join(' / '),
  );
}

// Case mapping with locale rules.
add('tr upper', () => 'istanbul ılık'.toLocaleUpperCase('tr'));
add('tr lower', () => 'İSTANBUL IŞIK'.toLocaleLowerCase('tr'));
add('lt lower', () =>
  'Ì J̃ Į̃'
    .toLocaleLowerCase('lt')
    .split('')
    .map((c) => c.codePointAt(0).toString(16))
    .join(' '),
);
add('lt upper', () =>
  'i̇̃'
    .toLocaleUpperCase('lt')
    .split('')
    .map((c) => c.codePointAt(0).toString(16))
    .join(' '),
);
add('default upper ß', () => 'straße'.toLocaleUpperCase('de'));

// Normalization.
const hex = (s) => [...s].map((c) => c.codePointAt(0).toString(16)).join(' ');
add('normalize NFC', () => hex('e\u0301 A\u030a \u1e9b\u0323'.normalize('NFC')));
add('normalize NFD', () => hex('é Å ẛ̣'.normalize('NFD')));
add('normalize NFKC', () => hex('ﬁ ① ｶ ẛ̣'.normalize('NFKC')));
add('normalize NFKD', () => hex('ﬁ ①'.normalize('NFKD')));

// TextDecoder encodings beyond UTF-8.
add('TextDecoder latin1', () => new TextDecoder('latin1').decode(Uint8Array.of(0x63, 0x61, 0x66, 0xe9, 0x80, 0xff)));
add('TextDecoder utf-16le', () => new TextDecoder('utf-16le').decode(Uint8Array.of(0x3d, 0xd8, 0x00, 0xde, 0x41, 0x00)));
add('TextDecoder shift_jis', () => new TextDecoder('shift_jis').decode(Uint8Array.of(0x82, 0xb1, 0x82, 0xf1, 0x82, 0xc9, 0x82, 0xbf, 0x82, 0xcd)));
add('TextDecoder windows-1252', () => new TextDecoder('windows-1252').decode(Uint8Array.of(0x80, 0x93, 0x94)));

// Unicode property escapes (built at run time: without ICU they are a SyntaxError at parse).
const re = (source, flags) => new RegExp(source, flags);
add('regexp \\p{L}', () => 'aÖ1_ж漢'.match(re('\\p{L}', 'gu')).join(''));
add('regexp Script=Greek', () => 'abc αβγ Ωmega'.match(re('\\p{Script=Greek}+', 'gu')).join('|'));
add('regexp Emoji', () => `${'hi 👍🏽 ok ✅ 1'.match(re('\\p{Emoji_Presentation}', 'gu')).join('|')} / ${re('^\\p{Emoji}$', 'u').test('1')}`);
add('regexp v flag', () => `${'aαб1'.match(re('[\\p{L}--[a-z]]', 'gv')).join('')} / ${re('^\\p{RGI_Emoji}$', 'v').test('👨‍👩‍👧')}`);
add('regexp ID_Continue', () => re('^\\p{ID_Start}\\p{ID_Continue}*$', 'u').test('naïve_ж1'));
add('regexp case-insensitive', () => re('ǅ', 'iu').test('ǆ'));

// Time zones.
add('timeZone count', () => Intl.supportedValuesOf('timeZone').length);
add('timeZone list', () => Intl.supportedValuesOf('timeZone').join(','));
add('Sao_Paulo', () => new Intl.DateTimeFormat('pt-BR', { dateStyle: 'full', timeStyle: 'full', timeZone: 'America/Sao_Paulo' }).format(when));
add('Sao_Paulo offset', () => new Intl.DateTimeFormat('en', { timeZone: 'America/Sao_Paulo', timeZoneName: 'longOffset' }).format(when));
add('Kolkata 1945', () => new Date(Date.UTC(1945, 5, 1)).toLocaleString('en-IN', { timeZone: 'Asia/Kolkata', timeZoneName: 'short' }));
add('supported calendars', () => Intl.supportedValuesOf('calendar').join(','));
add('supported currencies', () => Intl.supportedValuesOf('currency').length);
add('islamic calendar', () => new Intl.DateTimeFormat('ar-EG-u-ca-islamic', { dateStyle: 'long', timeZone: 'UTC' }).format(when));
add('locale maximize', () => new Intl.Locale('zh-TW').maximize().toString());

for (const [name, fn] of cases) {
  let line;
  try {
    line = JSON.stringify(fn());
  } catch (err) {
    line = `throws ${err?.name}: ${err?.message}`;
  }
  process.stdout.write(`${name}: ${line}\n`);
}
