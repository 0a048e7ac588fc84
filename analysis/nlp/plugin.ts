// The ringwatch plugin for compromise: a lexicon of product types ("earbuds", "blender")
// and a `productPhrases()` selection that finds product-like noun phrases the catalogue
// does not know: a proper-noun brand followed by a model token ("Zentro X200") or by a
// product type ("AcmeSound Pro headphones").
import nlp from 'compromise';

type View = ReturnType<typeof nlp>;

/** Product types common in consumer reviews; singular and plural both listed. */
export const PRODUCT_TYPES = [
  'headphone', 'earbud', 'earphone', 'headset', 'speaker', 'soundbar', 'charger', 'cable',
  'adapter', 'powerbank', 'battery', 'phone', 'smartphone', 'tablet', 'laptop', 'notebook',
  'monitor', 'keyboard', 'mouse', 'webcam', 'camera', 'lens', 'drone', 'router', 'modem',
  'watch', 'smartwatch', 'tracker', 'band', 'case', 'cover', 'stand', 'mount', 'dock', 'hub',
  'blender', 'mixer', 'juicer', 'toaster', 'kettle', 'grinder', 'airfryer', 'fryer', 'cooker',
  'vacuum', 'purifier', 'humidifier', 'dehumidifier', 'heater', 'fan', 'lamp', 'bulb', 'light',
  'projector', 'tv', 'television', 'console', 'controller', 'gamepad', 'printer', 'scanner',
  'shaver', 'razor', 'trimmer', 'dryer', 'straightener', 'toothbrush', 'scale', 'thermometer',
  'mattress', 'pillow', 'chair', 'desk', 'backpack', 'bag', 'bottle', 'mug', 'knife', 'pan',
  'supplement', 'serum', 'cream', 'shampoo', 'sneaker', 'shoe', 'jacket',
];

const PLURAL_EXCEPTIONS: Record<string, string> = {
  battery: 'batteries', mouse: 'mice', knife: 'knives', lens: 'lenses', watch: 'watches',
  smartwatch: 'smartwatches', case: 'cases', brush: 'brushes', toothbrush: 'toothbrushes',
};

function plural(word: string): string {
  return PLURAL_EXCEPTIONS[word] ?? `${word}s`;
}

const words: Record<string, string> = {};
for (const w of PRODUCT_TYPES) {
  words[w] = 'ProductType';
  words[plural(w)] = 'ProductType';
}

/** A token that names a model: letters and digits mixed, or a bare number after a brand. */
export const MODEL_TOKEN = '/^(?:[a-z]{0,6}-?[0-9]+[a-z0-9-]*|[0-9]+[a-z]{1,4})$/';

// Brand-like words: proper nouns and organisations, not people or places (those come out
// as people/places). Pronouns and sentence-initial determiners are never proper nouns here.
const BRAND = '(#ProperNoun|#Organization)';

let installed = false;

/** Installs the plugin once per process (compromise's lexicon is global). */
export function installRingwatchPlugin(): typeof nlp {
  if (installed) return nlp;
  nlp.plugin({
    tags: { ProductType: { isA: 'Noun' } },
    words,
    api: (View: { prototype: { productPhrases?: (this: View) => unknown } }) => {
      View.prototype.productPhrases = function productPhrases(this: View) {
        // compromise's matcher does not backtrack, so no optional term may precede #ProductType.
        return this.match(`${BRAND}+ ${MODEL_TOKEN}+ #ProductType?`)
          .concat(this.match(`${BRAND}+ #ProductType`))
          .not('#Person')
          .not('#Place');
      };
    },
  });
  installed = true;
  return nlp;
}

export type RingwatchView = View & { productPhrases(): View };

// compromise's default pipeline ends with `postTagger` (hundreds of contextual match rules)
// and `chunks`; together they are ~2/3 of its time. We only need names, organisations,
// money, proper nouns and model tokens, which the lexicon and pre-tagger already give, so
// we tag with the earlier steps only (measured ≈3× faster, same entities on the review
// corpus except multi-word names, which `PERSON` below restores). Doing it per document
// leaves compromise's global hooks alone for any other user in the process.
const LIGHT_STEPS = ['index', 'id', 'freeze', 'typeahead', 'lexicon', 'preTagger', 'contractionTwo'];

/** A compromise document tagged with the light pipeline (tokenize = alias, normal, machine, contractions). */
export function tagLight(text: string): RingwatchView {
  const doc = (installRingwatchPlugin() as unknown as { tokenize(t: string): RingwatchView }).tokenize(text);
  (doc as unknown as { compute(steps: string[]): void }).compute(LIGHT_STEPS);
  return doc;
}

/** People: a known name, plus a following capitalised word the post-tagger would have joined ("Tom Baker"). */
export const PERSON = '#Person+ (@isTitleCase && !#Verb)?';
