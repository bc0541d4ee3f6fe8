/** The `Prefer` and `Accept` headers, as far as the local stack honours them. */
import { mediaTypeError, PostgrestError, unsupported } from './errors.ts';

export interface Preferences {
  /** `return=representation` → rows in the body; otherwise (PostgREST's default) no body. */
  readonly representation: boolean;
  /** `count=exact|planned|estimated`: all answered with an exact count. */
  readonly count: boolean;
  /** `tx=rollback`: run the request, answer, then roll back. */
  readonly rollback: boolean;
}

export function parsePrefer(header: string | undefined): Preferences {
  let representation = false;
  let count = false;
  let rollback = false;
  let strict = false;
  const invalid: string[] = [];
  const tokens = (header ?? '').split(',').map((token) => token.trim()).filter((token) => token !== '');
  for (const token of tokens) {
    const [name = '', value = ''] = token.split('=').map((part) => part.trim());
    if (name === 'return' && value === 'representation') representation = true;
    else if (name === 'return' && value === 'minimal') representation = false;
    else if (name === 'return' && value === 'headers-only') throw unsupported('Prefer: return=headers-only');
    else if (name === 'count' && ['exact', 'planned', 'estimated'].includes(value)) count = true;
    else if (name === 'tx' && value === 'rollback') rollback = true;
    else if (name === 'tx' && value === 'commit') rollback = false;
    else if (name === 'handling' && value === 'strict') strict = true;
    else if (name === 'handling' && value === 'lenient') strict = false;
    else if (name === 'missing' && value === 'null') continue;
    else if (['resolution', 'missing', 'max-affected', 'params', 'timezone'].includes(name)) throw unsupported(`Prefer: ${token}`);
    else invalid.push(token);
  }
  if (strict && invalid.length > 0) {
    throw new PostgrestError(400, {
      code: 'PGRST122',
      message: 'Invalid preferences given with handling=strict',
      details: `Invalid preferences: ${invalid.join(', ')}`,
      hint: null,
    });
  }
  return { representation, count, rollback };
}

export type Representation = 'array' | 'object';

/** Picks the first media type in `Accept` that the local stack can produce. */
export function negotiateRepresentation(accept: string | undefined): Representation {
  if (accept === undefined || accept.trim() === '') return 'array';
  for (const range of accept.split(',')) {
    const [typePart = '', ...parameters] = range.split(';').map((part) => part.trim().toLowerCase());
    const strippedNulls = parameters.includes('nulls=stripped');
    if (['application/json', 'application/*', '*/*'].includes(typePart)) return 'array';
    if (typePart === 'application/vnd.pgrst.array+json' || typePart === 'application/vnd.pgrst.object+json' || typePart === 'application/vnd.pgrst.object') {
      if (strippedNulls) throw unsupported(`Accept: ${range.trim()} (nulls=stripped)`);
      return typePart === 'application/vnd.pgrst.array+json' ? 'array' : 'object';
    }
  }
  throw mediaTypeError(accept);
}

export const OBJECT_CONTENT_TYPE = 'application/vnd.pgrst.object+json; charset=utf-8';
