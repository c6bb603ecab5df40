import type { Response } from 'express';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

const RFC_SECTIONS: Record<number, string> = {
  400: '15.5.1',
  401: '15.5.2',
  403: '15.5.4',
  404: '15.5.5',
  405: '15.5.6',
  409: '15.5.10',
  429: '6585#section-4',
  500: '15.6.1',
  503: '15.6.4',
};

export interface ErrorDetail {
  detail: string;
  'o:errorCode': string;
  'o:errorPath'?: string;
}

/** A failure the record or query API reports in NetSuite's error document. */
export class RestError extends Error {
  constructor(
    readonly status: number,
    readonly details: ErrorDetail[],
  ) {
    super(details.map((d) => d.detail).join('; '));
  }
  static of(status: number, code: string, detail: string, path?: string): RestError {
    return new RestError(status, [{ detail, 'o:errorCode': code, ...(path ? { 'o:errorPath': path } : {}) }]);
  }
}

export function errorDocument(status: number, details: ErrorDetail[]) {
  const section = RFC_SECTIONS[status] ?? '15.5.1';
  return {
    type: section.includes('#')
      ? `https://www.rfc-editor.org/rfc/rfc${section}`
      : `https://www.rfc-editor.org/rfc/rfc9110.html#section-${section}`,
    title: TITLES[status] ?? 'Error',
    status,
    'o:errorDetails': details,
  };
}

export function sendError(res: Response, err: RestError): void {
  if (res.headersSent) return;
  res
    .status(err.status)
    .type('application/vnd.oracle.resource+json; type=error')
    .send(JSON.stringify(errorDocument(err.status, err.details)));
}

export const invalidLogin = () =>
  RestError.of(
    401,
    'INVALID_LOGIN',
    'Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at Setup > Users/Roles > User Management > View Login Audit Trail.',
  );
