import t from 'tap';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadChatTemplate, type ChatTemplate } from '../../lib/llm/chat-template.js';
import { FIXTURES } from '../cli-process.js';

const HEADER_STYLE = join(FIXTURES, 'graphs', 'templates', 'header-style.tokenizer_config.json');

t.test("a model's tokenizer_config.json: messages rendered as the model reads them, and Magpie's pre-query", async (t) => {
  const template = (await loadChatTemplate(HEADER_STYLE)) as ChatTemplate;
  t.equal(
    template.render([{ role: 'user', content: ' What is a river? ' }], true),
    '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nWhat is a river?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n',
  );
  t.equal(template.preQuery(), '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n', 'the opening of a user turn, where the query will go');
  t.equal(template.preQuery('Be brief.'), '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n');
});

t.test('named templates, bare Jinja files, and what cannot be used', async (t) => {
  const dir = t.testdir({});
  const named = join(dir, 'named.json');
  await writeFile(
    named,
    JSON.stringify({
      bos_token: { content: '<s>' },
      chat_template: [
        { name: 'tool_use', template: 'TOOLS' },
        { name: 'default', template: '{{ bos_token }}{% for m in messages %}[{{ m.role }}] {{ m.content }}\n{% endfor %}' },
      ],
    }),
  );
  t.equal(((await loadChatTemplate(named)) as ChatTemplate).render([{ role: 'user', content: 'hi' }], false), '<s>[user] hi\n', 'the default of a list, tokens as objects');
  const bare = join(dir, 'chat.jinja');
  await writeFile(bare, '{% for m in messages %}<{{ m.role }}>{{ m.content }}{% endfor %}');
  t.equal(((await loadChatTemplate(bare)) as ChatTemplate).preQuery(), '<user>');
  await writeFile(join(dir, 'none.json'), '{"bos_token": "<s>"}');
  t.match(await loadChatTemplate(join(dir, 'none.json')), { error: /has no chat_template/ });
  await writeFile(join(dir, 'broken.jinja'), '{% for m in messages %}');
  t.match(await loadChatTemplate(join(dir, 'broken.jinja')), { error: /the chat template does not parse/ });
  t.match(await loadChatTemplate(join(dir, 'missing.json')), { error: /cannot read .*missing\.json: ENOENT/ });
});
