import t from 'tap';
import { findPii, ibanChecks, luhn, redactPii, PII_PLACEHOLDERS, type PiiKind } from '../../lib/quality/pii.js';
import { RULES, type TextRule } from '../../lib/quality/rules.js';
import { textFeatures } from '../../lib/quality/text-features.js';

// A hand-written test set: each string with what must be found in it, as [kind, exact text].
// Look-alikes must give nothing. Numbers are the documented examples and test ranges of
// their issuers (555-01xx, Ofcom's drama ranges, the card networks' test numbers, the IBAN
// registry's examples), not anyone's.
type Case = [string, Array<[PiiKind, string]>];
const POSITIVES: Case[] = [
  // Phones, North America, in the formats people write them.
  ['Call me at (415) 555-0132 tonight.', [['phone', '(415) 555-0132']]],
  ['Office: +1 (415) 555-0132', [['phone', '+1 (415) 555-0132']]],
  ['Text +14155550132 for the code.', [['phone', '+14155550132']]],
  ['Reach us on 415-555-0132.', [['phone', '415-555-0132']]],
  ['Dial 415.555.0132 from a landline.', [['phone', '415.555.0132']]],
  ['Toronto desk: +1 416 555 0199', [['phone', '+1 416 555 0199']]],
  // Phones, elsewhere.
  ['London office +44 20 7946 0958, ask for Sam.', [['phone', '+44 20 7946 0958']]],
  ['Ring 020 7946 0958 before noon.', [['phone', '020 7946 0958']]],
  ['Mobil: +49 151 23456789', [['phone', '+49 151 23456789']]],
  ['Festnetz 030 12345678 (Berlin)', [['phone', '030 12345678']]],
  ['Appelez le 06 12 34 56 78 demain.', [['phone', '06 12 34 56 78']]],
  ['Numéro : +33 6 12 34 56 78', [['phone', '+33 6 12 34 56 78']]],
  ['Llámame al +34 612 34 56 78', [['phone', '+34 612 34 56 78']]],
  ['Chiama il +39 312 345 6789', [['phone', '+39 312 345 6789']]],
  ['WhatsApp: +55 11 91234-5678', [['phone', '+55 11 91234-5678']]],
  ['Celular (11) 91234-5678', [['phone', '(11) 91234-5678']]],
  ['Phone +91 98765 43210 after 6.', [['phone', '+91 98765 43210']]],
  ['东京：+81 3-1234-5678', [['phone', '+81 3-1234-5678']]],
  ['Sydney +61 2 9876 5432', [['phone', '+61 2 9876 5432']]],
  ['Москва: +7 495 123-45-67', [['phone', '+7 495 123-45-67']]],
  ['电话 +86 138 0013 8000', [['phone', '+86 138 0013 8000']]],
  // Emails.
  ['Write to jane.doe@example.com.', [['email', 'jane.doe@example.com']]],
  ['CC: ops+alerts@mail.example.org', [['email', 'ops+alerts@mail.example.org']]],
  ['Kontakt: müller@beispiel.de', [['email', 'müller@beispiel.de']]],
  // US social security numbers.
  ['SSN 123-45-6789 on file.', [['ssn', '123-45-6789']]],
  ['Her number is 078-05-1120.', [['ssn', '078-05-1120']]],
  // IBANs, grouped and compact.
  ['Pay to DE89 3704 0044 0532 0130 00 by Friday.', [['iban', 'DE89 3704 0044 0532 0130 00']]],
  ['IBAN GB29NWBK60161331926819', [['iban', 'GB29NWBK60161331926819']]],
  ['Virement FR14 2004 1010 0505 0001 3M02 606', [['iban', 'FR14 2004 1010 0505 0001 3M02 606']]],
  ['Cuenta ES91 2100 0418 4502 0005 1332.', [['iban', 'ES91 2100 0418 4502 0005 1332']]],
  ['NL91ABNA0417164300 is the account.', [['iban', 'NL91ABNA0417164300']]],
  // Cards (network test numbers, which pass the Luhn check).
  ['Card 4111 1111 1111 1111 exp 12/29', [['credit_card', '4111 1111 1111 1111']]],
  ['Mastercard 5555-5555-5555-4444', [['credit_card', '5555-5555-5555-4444']]],
  ['Amex 378282246310005', [['credit_card', '378282246310005']]],
  // IP addresses.
  ['The server is at 203.0.113.7 now.', [['ip', '203.0.113.7']]],
  ['ssh admin@198.51.100.23', [['ip', '198.51.100.23']]],
  ['Ping 2001:db8:85a3::8a2e:370:7334 from the lab.', [['ip', '2001:db8:85a3::8a2e:370:7334']]],
  ['Link-local fe80::1ff:fe23:4567:890a here', [['ip', 'fe80::1ff:fe23:4567:890a']]],
  ['Full form 2001:0db8:0000:0000:0000:ff00:0042:8329.', [['ip', '2001:0db8:0000:0000:0000:ff00:0042:8329']]],
  // Credentials.
  ['aws_access_key_id = AKIAIOSFODNN7EXAMPLE', [['secret', 'AKIAIOSFODNN7EXAMPLE']]],
  ['export OPENAI_API_KEY=sk-proj-4f9XyZ8aB7cD6eF5gH4iJ3kL2mN1oP0q', [['secret', 'sk-proj-4f9XyZ8aB7cD6eF5gH4iJ3kL2mN1oP0q']]],
  ['key: sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz012345', [['secret', 'sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz012345']]],
  ['token ghp_1234567890abcdefghijABCDEFGHIJ123456 leaked', [['secret', 'ghp_1234567890abcdefghijABCDEFGHIJ123456']]],
  ['stripe sk_live_51Habcdefghijklmnopqrstuv', [['secret', 'sk_live_51Habcdefghijklmnopqrstuv']]],
  ['slack xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx', [['secret', 'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx']]],
  ['maps AIzaSyA1234567890abcdefghijklmnopqrstuv', [['secret', 'AIzaSyA1234567890abcdefghijklmnopqrstuv']]],
  [
    'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    [['secret', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U']],
  ],
  [
    'key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo\n-----END RSA PRIVATE KEY-----\nthanks',
    [['secret', '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo\n-----END RSA PRIVATE KEY-----']],
  ],
  // Several in one text.
  [
    'Jane: jane@example.com, (415) 555-0132, 203.0.113.9',
    [
      ['email', 'jane@example.com'],
      ['phone', '(415) 555-0132'],
      ['ip', '203.0.113.9'],
    ],
  ],
];

const LOOK_ALIKES: string[] = [
  'ISBN 978-3-16-148410-0 is the book.',
  'ISBN-13: 978-0-306-40615-7',
  'Order #123456789 shipped.',
  'Order 2023-000123 is late.',
  'Invoice no. 4500-1234-88',
  'Meeting on 2023-11-30 at 10:30.',
  'Born 30/11/1990, moved 11.30.2001.',
  'The time is 12:30:45 UTC.',
  'Version 1.2.3.4 fixes it; v10.0.0.1 too.',
  'MAC 00:1A:2B:3C:4D:5E on eth0.',
  'In C++, std::vector<int> v; a[1::2] in Python.',
  'Total: 1,234,567.89 dollars.',
  'Population 8 000 000 in 2020.',
  'Tracking 1Z999AA10123456784',
  'Pi is 3.14159265358979.',
  'The id is 1234567890123456 (not a card).',
  'Coordinates 48.8584, 2.2945.',
  'sk-short is not a key',
  'Email me at name at example dot com.',
  'Range 10-20-30-40 of the plan.',
  'Phone: 555-0100 (seven digits, no area code).',
  'Call 1-800-FLOWERS.',
  'Score 3-2-1 after extra time.',
  'A vector of 1024 floats: 0.12 0.53 0.91.',
  'Ratio 16:9 and 4:3 screens.',
];

t.test(`PII test set: ${POSITIVES.length} strings to find, ${LOOK_ALIKES.length} look-alikes; recall and precision at least 0.95`, async (t) => {
  let truePositives = 0;
  let falsePositives = 0;
  let expected = 0;
  const misses: string[] = [];
  for (const [text, want] of POSITIVES) {
    const got = findPii(text).map((m) => [m.kind, text.slice(m.start, m.end)] as [PiiKind, string]);
    expected += want.length;
    for (const g of got) {
      if (want.some((w) => w[0] === g[0] && w[1] === g[1])) truePositives++;
      else {
        falsePositives++;
        misses.push(`extra ${g[0]} "${g[1]}" in ${JSON.stringify(text)}`);
      }
    }
    for (const w of want) if (!got.some((g) => g[0] === w[0] && g[1] === w[1])) misses.push(`missed ${w[0]} "${w[1]}" in ${JSON.stringify(text)}`);
    // Redaction: each found item becomes its placeholder, and the rest of the text stays.
    const redacted = redactPii(text, findPii(text));
    for (const w of want) {
      t.notOk(redacted.includes(w[1]), `redacted: ${w[1]}`);
      t.ok(redacted.includes(PII_PLACEHOLDERS[w[0]]), `placeholder ${PII_PLACEHOLDERS[w[0]]}`);
    }
  }
  for (const text of LOOK_ALIKES) {
    for (const m of findPii(text)) {
      falsePositives++;
      misses.push(`look-alike matched as ${m.kind}: "${text.slice(m.start, m.end)}" in ${JSON.stringify(text)}`);
    }
  }
  const recall = truePositives / expected;
  const precision = truePositives / (truePositives + falsePositives);
  t.ok(POSITIVES.length + LOOK_ALIKES.length >= 60, 'at least 60 strings');
  t.ok(recall >= 0.95, `recall ${recall.toFixed(3)}`, { misses });
  t.ok(precision >= 0.95, `precision ${precision.toFixed(3)}`, { misses });
  t.comment(`recall ${recall.toFixed(3)}, precision ${precision.toFixed(3)}${misses.length ? `; ${misses.join('; ')}` : ''}`);
});

t.test('redaction keeps the text around each placeholder', async (t) => {
  const text = 'Mail jane@example.com or call +44 20 7946 0958; pay DE89 3704 0044 0532 0130 00.';
  t.equal(redactPii(text, findPii(text)), 'Mail [EMAIL] or call [PHONE]; pay [IBAN].');
});

t.test('checksums: Luhn for cards, mod 97 for IBANs', async (t) => {
  t.equal(luhn('4111111111111111'), true);
  t.equal(luhn('4111111111111112'), false);
  t.equal(ibanChecks('DE89370400440532013000'), true);
  t.equal(ibanChecks('DE89370400440532013001'), false, 'one digit off fails the check');
  t.equal(ibanChecks('DE8937040044053201300'), false, 'a German IBAN is 22 characters');
  t.same(findPii('Pay DE89 3704 0044 0532 0130 01 now'), [], 'an IBAN-shaped string failing its check is not one');
  t.same(findPii('Card 4111 1111 1111 1112'), [], 'a card number failing Luhn is not one');
});

t.test('phone numbers without a country code are tried in the configured countries', async (t) => {
  t.equal(findPii('Ring 020 7946 0958').length, 1, 'a London number, by default');
  t.equal(findPii('Ring 020 7946 0958', { countries: ['US'] }).length, 0, 'not a number in the US plan');
  t.equal(findPii('Ring +44 20 7946 0958', { countries: ['US'] }).length, 1, 'a country code is read whatever the countries');
});

t.test("the pii rule, which skips searches its text's features rule out (no digit, no long word), counts what a full search finds", async (t) => {
  const rule = RULES.get('pii') as TextRule;
  const texts = [...POSITIVES.map(([text]) => text), ...LOOK_ALIKES, 'write to ana@example.org today', 'no digits, no mail, nothing'];
  for (const text of texts) t.equal(rule.compute(textFeatures(text), {}, null), findPii(text).length, text);
  t.equal(rule.compute(textFeatures('write to ana@example.org today'), {}, null), 1, 'an e-mail without digits is still found');
  t.same(findPii('call +1 415 555 0132', { digits: false }), [], 'digits: false leaves out every kind made of digits');
});
