import { wordHashes } from './text-features.js';

/**
 * Stop words per language, for Gopher's stop-word rule. Gopher's own list is English only
 * (the, be, to, of, and, that, have, with); FineWeb-2 takes a list per language instead.
 * These are the most frequent function words of each language (at most 32, one bit each),
 * chosen so that a short chat reply in that language holds two of them, as a long English
 * document holds two of Gopher's eight. Written in lower case; a word counts only when it
 * is written in lower case (as in NeMo Curator's filter, so shouting text fails).
 */
export const STOP_WORD_LISTS: Readonly<Record<string, { script: 'latin' | 'cyrillic'; words: string }>> = {
  en: { script: 'latin', words: 'the be to of and a in that have it for not on with as you do at this but by from they we or an will my is are can if' },
  es: { script: 'latin', words: 'de la que el en y a los se del las un por con no una su para es al lo como más o pero sus le me si sin sobre este' },
  pt: { script: 'latin', words: 'de a o que e do da em um para é com não uma os no se na por mais as dos como mas foi ao ele das tem à seu' },
  fr: { script: 'latin', words: 'de la le et les des en un du une que est pour qui dans par plus pas au sur ne se ce il sont vous nous avec à ou je mais' },
  de: { script: 'latin', words: 'der die und in den von zu das mit sich des auf für ist im dem nicht ein eine als auch es an aus er hat dass sie nach wird bei ich' },
  it: { script: 'latin', words: 'di e il la che a per un in è del non una le si con da dei della al sono come ma anche più lo gli nel alla questo ha mi' },
  ca: { script: 'latin', words: 'de la i que el a en les del per un una es amb els no al com és més o hi ho ha se pel però aquest seva si molt' },
  nl: { script: 'latin', words: 'de het een van en in is dat op te zijn met voor niet aan er die maar om ook als bij of door naar dan wordt tot uit je ik' },
  eo: { script: 'latin', words: 'la de kaj en al ke por estas ne el kun mi vi li ŝi ĝi ni ili sed pri da tio kiu ankaŭ se aŭ pli tre esti estis unu tiu' },
  hu: { script: 'latin', words: 'a az és hogy nem is egy meg de van ez csak el már mint még volt ha azt vagy kell így sem ki le fel ezt pedig mert lesz mind' },
  eu: { script: 'latin', words: 'eta da ez bat du zen dira dute ere baina edo izan hau hori beste bere behar oso baita gero nola zer dago ditu egin den duen' },
  vi: { script: 'latin', words: 'và của là có các cho một những được trong không với này để người đã khi từ về như thì cũng đến ra sẽ bạn tôi nhưng hoặc rất' },
  fi: { script: 'latin', words: 'ja on ei että se oli hän mutta kun niin tai myös ovat joka jos kuin vain sen ole nyt jo mitä sinä minä tämä voi' },
  pl: { script: 'latin', words: 'i w na z się nie do to że jest o a jak po co tak ale od za przez dla jego czy są tylko też jako' },
  id: { script: 'latin', words: 'yang dan di itu dengan untuk tidak ini dari dalam akan pada juga ke karena ada bisa atau saya anda kami adalah oleh sebagai' },
  sv: { script: 'latin', words: 'och i att det som en på är av för med till den har de inte om ett han men var jag sig från du vi så kan eller' },
  no: { script: 'latin', words: 'og i det på som er en til å av for at med har den de ikke om et men var jeg seg fra du vi så kan eller' },
  da: { script: 'latin', words: 'og i at det en den til er som på de med af for ikke der var mig sig men et har om vi jeg du så kan eller' },
  cs: { script: 'latin', words: 'a v se na je že to s z o do i k jako pro ale by jsem jsou tak který nebo po od jeho ve za' },
  ro: { script: 'latin', words: 'și de în la a cu pe că nu o un este din pentru se care mai sau ca sunt au al ce dar' },
  tr: { script: 'latin', words: 've bir bu da de için ile çok ne daha gibi olarak ama en var o ben sen mi ki olan kadar' },
  ru: { script: 'cyrillic', words: 'и в не на я что с он а как это по к но из у за от то же так для о вы мы ты все если или бы его она' },
  uk: { script: 'cyrillic', words: 'і в у на не що з та а як це до за по для від але я ви ми ти він вона вони так або чи же є із при його' },
};

/** The languages, in bit order of `StopWordTable.languages`. */
export const STOP_WORD_LANGUAGES = Object.keys(STOP_WORD_LISTS);

/**
 * Word hash → the (language, word) pairs it stands for, as an open-addressing table: a
 * text's words are looked up as they are read, one probe each, with no string made.
 */
class StopWordTable {
  readonly keys: Int32Array;
  /** Per slot: where its pairs start in `pairs`, and how many there are. */
  readonly first: Int32Array;
  readonly count: Int32Array;
  /** Language index × 32 + word bit, for each pair. */
  readonly pairs: Int32Array;
  readonly mask: number;

  constructor(lists: ReadonlyArray<readonly string[]>) {
    const byHash = new Map<number, number[]>();
    lists.forEach((words, lang) => {
      if (words.length > 32) throw new Error(`a stop-word list holds at most 32 words, not ${words.length}`);
      words.forEach((word, bit) => {
        const hashes = wordHashes(word);
        if (hashes.length !== 1) throw new Error(`stop word "${word}" is not one word`);
        const h = hashes[0]! === 0 ? 1 : hashes[0]!;
        let list = byHash.get(h);
        if (!list) byHash.set(h, (list = []));
        list.push(lang * 32 + bit);
      });
    });
    let size = 64;
    while (size < byHash.size * 4) size *= 2;
    this.mask = size - 1;
    this.keys = new Int32Array(size);
    this.first = new Int32Array(size);
    this.count = new Int32Array(size);
    const pairs: number[] = [];
    for (const [h, list] of byHash) {
      let slot = h & this.mask;
      while (this.keys[slot] !== 0) slot = (slot + 1) & this.mask;
      this.keys[slot] = h;
      this.first[slot] = pairs.length;
      this.count[slot] = list.length;
      pairs.push(...list);
    }
    this.pairs = Int32Array.from(pairs);
  }

  /** The slot of a word hash, or −1 when it is no stop word. */
  find(hash: number): number {
    const h = hash === 0 ? 1 : hash;
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const k = this.keys[slot]!;
      if (k === h) return slot;
      if (k === 0) return -1;
    }
  }
}

let table: StopWordTable | undefined;
/** The table of the built-in lists, built on first use (it needs the word hashing of text-features). */
export function stopWordTable(): StopWordTable {
  return (table ??= new StopWordTable(STOP_WORD_LANGUAGES.map((l) => STOP_WORD_LISTS[l]!.words.split(' '))));
}

export type { StopWordTable };

const LANG_SCRIPT = STOP_WORD_LANGUAGES.map((l) => STOP_WORD_LISTS[l]!.script);

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/**
 * The most distinct stop words that one language's list finds in a text, over the lists of
 * the text's script, with the language: `bits` holds, per language, a bit per stop word seen.
 */
export function bestStopWordList(bits: Int32Array | null, script: 'latin' | 'cyrillic'): { language: string; count: number } {
  let best = { language: '', count: 0 };
  for (let l = 0; l < STOP_WORD_LANGUAGES.length; l++) {
    if (LANG_SCRIPT[l] !== script) continue;
    const n = bits ? popcount(bits[l]!) : 0;
    if (n > best.count) best = { language: STOP_WORD_LANGUAGES[l]!, count: n };
  }
  return best;
}

// \u2019 is ’ (the bundle is kept ASCII, see scripts/bundle.ts).
const WORD = /[\p{L}\p{N}\p{M}]+(?:['\u2019][\p{L}\p{M}]+)*/gu;
/** Distinct words of `list` written in lower case in `text`: for a list given in the graph file (a slow path, off by default). */
export function distinctStopWords(text: string, list: ReadonlySet<string>): number {
  const seen = new Set<string>();
  for (const m of text.matchAll(WORD)) if (list.has(m[0])) seen.add(m[0]);
  return seen.size;
}
