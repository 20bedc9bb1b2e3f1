import t from 'tap';
import { codePointClass, DIGIT, END_MARK, LETTER, lowerUnit, MARK, SPACE, UNSPACED, unitClass, WORD } from '../../lib/text/char-class.js';

const cls = (ch: string): number => codePointClass(ch.codePointAt(0)!);

t.test('classes agree with the Unicode properties they stand for', async (t) => {
  t.equal(cls('a') & (LETTER | WORD), LETTER | WORD);
  t.equal(cls('ß') & LETTER, LETTER);
  t.equal(cls('٣') & (DIGIT | WORD), DIGIT | WORD, 'Arabic-Indic digit');
  t.equal(cls('\u0301') & (MARK | WORD), MARK | WORD, 'combining acute accent');
  t.equal(cls('漢') & UNSPACED, UNSPACED);
  t.equal(cls('ー') & UNSPACED, UNSPACED, 'the long-vowel mark belongs to kana by script extension');
  t.equal(cls('한') & UNSPACED, 0, 'Hangul is written with spaces');
  t.equal(cls('\u00a0') & SPACE, SPACE);
  t.equal(cls('\u3000') & SPACE, SPACE);
  t.equal(cls('。') & END_MARK, END_MARK);
  t.equal(cls('🎉') & END_MARK, END_MARK, 'a symbol above U+FFFF');
  t.equal(cls('🎉') & WORD, 0);
  t.equal(cls('𠀀') & (UNSPACED | LETTER), UNSPACED | LETTER, 'Han extension B, outside the BMP');
  t.equal(unitClass(0xd83c), 0, 'a lone surrogate is no character');
});

t.test('lower-casing one code unit at a time', async (t) => {
  t.equal(String.fromCharCode(lowerUnit('Ä'.charCodeAt(0))), 'ä');
  t.equal(String.fromCharCode(lowerUnit('Ж'.charCodeAt(0))), 'ж');
  t.equal(lowerUnit('İ'.charCodeAt(0)), 'İ'.charCodeAt(0), 'kept when lower-casing gives two units');
});
