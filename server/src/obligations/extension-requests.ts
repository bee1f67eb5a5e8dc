import type { z } from 'zod';
import type { PendingExtension } from './obligations.schema.js';

// Extension requests awaiting a decision: which one is open on a day, what a meeting label means,
// and the sentence that says so wherever a status is shown.

export interface PendingRequest {
  requested_deadline: string | null;
  submitted: string | null;
  meeting: string;
  decision: string;
  source: string;
  confidence: 'verified' | 'recalled';
}

const ordinal = (n: number) => {
  const tens = n % 100;
  const suffix =
    tens >= 11 && tens <= 13 ? 'th' : (({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th');
  return `${n}${suffix}`;
};

/**
 * A meeting label in words.
 * @example meetingName('23MSP') // '23rd Meeting of States Parties'
 * @example meetingName('5RC') // '5th Review Conference'
 */
export function meetingName(meeting: string): string {
  const match = /^(\d+)(MSP|RC)$/.exec(meeting);
  if (!match) return meeting;
  return `${ordinal(Number(match[1]))} ${match[2] === 'MSP' ? 'Meeting of States Parties' : 'Review Conference'}`;
}

/**
 * The request open on `asOf`: one submitted by then (compared at the precision the source gives:
 * a request submitted "2025" counts from 2025-01-01). An announced request does not count yet.
 */
export function openRequestOn(request: PendingRequest | null, asOf: string): PendingRequest | null {
  if (!request) return null;
  if (request.submitted !== null && request.submitted > asOf.slice(0, request.submitted.length)) return null;
  return request;
}

/** The deadline an obligation is held to: the current one, else the latest granted, else the original. */
export function latestKnownDeadline(obligation: {
  current_deadline: string | null;
  original_deadline: string;
  extensions: Array<{ new_deadline: string }>;
}): string {
  return (
    obligation.current_deadline ??
    [obligation.original_deadline, ...obligation.extensions.map((e) => e.new_deadline)].sort().at(-1)!
  );
}

/**
 * "deadline passed — extension requested for 2030, decision due at the 23rd Meeting of States
 * Parties", with "(not verified)" where the request is known only from recall.
 */
export function requestSentence(request: PendingRequest): string {
  const year = request.requested_deadline ? ` for ${request.requested_deadline.slice(0, 4)}` : '';
  const unverified = request.confidence === 'verified' ? '' : ' (not verified)';
  return `deadline passed — extension requested${year}, decision due at the ${meetingName(request.meeting)}${unverified}`;
}

export function toPendingExtension(request: PendingRequest | null): z.infer<typeof PendingExtension> | null {
  return (
    request && { ...request, meeting_name: meetingName(request.meeting), verified: request.confidence === 'verified' }
  );
}
