import t from 'tap';
import { compileTemplate, MissingFieldError, type Template } from '../../lib/llm/template.js';

function compiled(source: string): Template {
  const c = compileTemplate(source);
  if ('error' in c) throw new Error(c.error);
  return c;
}

t.test('fields, dotted paths and literal braces', async (t) => {
  const tpl = compiled('Q: {question} by {meta.author.name} {{not a field}} n={n} {obj}');
  t.same(tpl.fields, ['question', 'meta.author.name', 'n', 'obj']);
  t.equal(tpl.render({ question: 'why?', meta: { author: { name: 'Ada' } }, n: 3, obj: { a: [1] } }), 'Q: why? by Ada {not a field} n=3 {"a":[1]}');
});

t.test('record content is inserted verbatim, never read as a template', async (t) => {
  const tpl = compiled('<{text}>');
  // biome-ignore lint/suspicious/noTemplateCurlyInString: record text that looks like a template stays text
  t.equal(tpl.render({ text: '{question} {{x}} }{ ${1+1}' }), '<{question} {{x}} }{ ${1+1}>');
});

t.test('a missing or null field throws MissingFieldError naming it', async (t) => {
  const tpl = compiled('{a.b}');
  t.throws(() => tpl.render({ a: {} }), new MissingFieldError('a.b'));
  t.throws(() => tpl.render({ a: { b: null } }), { message: 'missing field "a.b" used in a template' });
  t.equal(tpl.render({ a: { b: '' } }), '', 'an empty string is a value');
});

t.test('malformed templates are config errors', async (t) => {
  t.match(compileTemplate('x {open'), { error: /unclosed "\{" at character 3/ });
  t.match(compileTemplate('x } y'), { error: /unmatched "\}" at character 3/ });
  t.match(compileTemplate('{a..b}'), { error: /bad placeholder \{a\.\.b\}/ });
  t.match(compileTemplate('{__proto__}'), { error: /reserved/ });
});
