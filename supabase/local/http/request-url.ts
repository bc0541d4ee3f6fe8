/** Splitting a mounted handler's path and the request's query string. */
import type { IncomingMessage } from 'node:http';

export interface RequestTarget {
  /** Path below the mount point, without query string, always starting with '/'. */
  readonly path: string;
  readonly query: URLSearchParams;
}

export function requestTarget(req: IncomingMessage, mountedPath: string): RequestTarget {
  const questionMark = mountedPath.indexOf('?');
  const rawPath = questionMark === -1 ? mountedPath : mountedPath.slice(0, questionMark);
  const url = new URL(req.url ?? '/', 'http://local');
  const path = rawPath === '' ? '/' : rawPath.startsWith('/') ? rawPath : `/${rawPath}`;
  return { path, query: url.searchParams };
}

/** First value of a header that Node may have given as a list. */
export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
