/**
 * Recording upload (contract §5): ask for a presigned URL, PUT the bytes to it with exactly the headers
 * Genesys returned (streamed, never held in memory), then follow the upload reports (one for all the
 * files waiting, see `recording-confirmer.ts`) or a conversation's recording metadata to confirm the file
 * became playable.
 */
import type { Readable } from 'node:stream';
import axios, { type AxiosResponse } from 'axios';
import { z } from 'zod';
import type { GenesysClient } from './client';
import {
  recordingMetadataSchema,
  recordingUploadReportSchema,
  uploadUrlResponseSchema,
  type uploadUrlRequestSchema,
} from '../../domain/genesys';
import { recordingUploadReportListingSchema } from '../../domain/genesys/upload-report';
import { headerValue } from './auth';
import { GenesysApiError, parseRetryAfter } from './errors';
import { requestPriorities } from './request-budget';

/** Asks Genesys for a presigned upload URL for one recording file. */
export async function createRecordingUploadUrl(
  client: GenesysClient,
  request: z.input<typeof uploadUrlRequestSchema>,
) {
  const response = await client.request({
    method: 'POST',
    path: '/api/v2/uploads/recordings',
    body: request,
    priority: requestPriorities.uploads,
    responseSchema: uploadUrlResponseSchema,
  });
  return response.data;
}

/**
 * PUTs a recording's bytes to its presigned URL, streaming them with the headers Genesys returned. The
 * body stream is always destroyed when the call ends, so a failed upload leaks no file descriptor;
 * `signal` (the activity's cancellation) aborts a stalled upload.
 */
export async function uploadToPresignedUrl(options: {
  url: string;
  headers: Record<string, string>;
  body: Readable;
  sizeBytes: number;
  signal?: AbortSignal;
}): Promise<void> {
  // Only the path goes into errors: the query string carries the URL's signature.
  const path = new URL(options.url).pathname;
  let response: AxiosResponse<unknown>;
  try {
    response = await axios.put<unknown>(options.url, options.body, {
      headers: { ...options.headers, 'Content-Length': String(options.sizeBytes) },
      maxBodyLength: Infinity,
      maxContentLength: Infinity,
      // Without redirects axios streams through Node's own http: the redirect follower keeps every byte
      // of the body to replay it, which would hold the whole recording in memory.
      maxRedirects: 0,
      signal: options.signal,
      validateStatus: () => true,
    });
  } catch (error) {
    throw GenesysApiError.noResponse('PUT', path, error);
  } finally {
    options.body.destroy();
  }
  if (response.status >= 200 && response.status < 300) return;
  const body = typeof response.data === 'string' ? response.data : JSON.stringify(response.data);
  // S3 names the failure in an XML body (<Code>BadDigest</Code>); some front ends also send a header.
  throw new GenesysApiError({
    method: 'PUT',
    path,
    status: response.status,
    code: headerValue(response.headers['x-amz-error-code']) ?? /<Code>([^<]*)<\/Code>/.exec(body)?.[1],
    message: /<Message>([^<]*)<\/Message>/.exec(body)?.[1] ?? body.slice(0, 500),
    correlationId: headerValue(response.headers['x-amz-request-id']),
    retryAfterMs: parseRetryAfter(headerValue(response.headers['retry-after'])),
  });
}

/** Starts an upload-status report of the recordings uploaded since `dateSince`. */
export async function createRecordingUploadReport(
  client: GenesysClient,
  dateSince: string,
  uploadStatus?: string,
) {
  const response = await client.request({
    method: 'POST',
    path: '/api/v2/recording/uploads/reports',
    body: { dateSince, ...(uploadStatus ? { uploadStatus } : {}) },
    priority: requestPriorities.uploads,
    responseSchema: recordingUploadReportSchema,
  });
  return response.data;
}

/** Reads an upload-status report. */
export async function getRecordingUploadReport(client: GenesysClient, reportId: string) {
  const response = await client.request({
    method: 'GET',
    path: `/api/v2/recording/uploads/reports/${encodeURIComponent(reportId)}`,
    priority: requestPriorities.uploads,
    responseSchema: recordingUploadReportSchema,
  });
  return response.data;
}

/**
 * Downloads what a completed report lists. The signed URL is a storage URL like the upload's, outside
 * the API and its request budget; only its path goes into errors, the query string carries the signature.
 */
export async function readRecordingUploadReport(signedUrl: string, signal?: AbortSignal) {
  const path = new URL(signedUrl).pathname;
  let response: AxiosResponse<unknown>;
  try {
    response = await axios.get<unknown>(signedUrl, { signal, validateStatus: () => true });
  } catch (error) {
    throw GenesysApiError.noResponse('GET', path, error);
  }
  if (response.status < 200 || response.status >= 300) {
    throw new GenesysApiError({
      method: 'GET',
      path,
      status: response.status,
      code: undefined,
      message: `the upload report could not be downloaded (${response.status})`,
      correlationId: undefined,
      retryAfterMs: parseRetryAfter(headerValue(response.headers['retry-after'])),
    });
  }
  const listing = recordingUploadReportListingSchema.safeParse(response.data);
  if (!listing.success) {
    throw new Error(
      `the upload report at ${path} is not a listing of uploads: ${z.prettifyError(listing.error)}`,
    );
  }
  return listing.data.entities;
}

/** The recordings Genesys holds for a conversation (the playable read-back). */
export async function getRecordingMetadata(client: GenesysClient, conversationId: string) {
  const response = await client.request({
    method: 'GET',
    path: `/api/v2/conversations/${encodeURIComponent(conversationId)}/recordingmetadata`,
    priority: requestPriorities.uploads,
    responseSchema: recordingMetadataSchema,
  });
  return response.data;
}

/** Analytics details of a conversation, as Genesys summarised the injected events. */
export async function getConversationDetails(client: GenesysClient, conversationId: string) {
  const response = await client.request({
    method: 'GET',
    path: `/api/v2/analytics/conversations/${encodeURIComponent(conversationId)}/details`,
    priority: requestPriorities.directory,
    responseSchema: z.looseObject({ conversationId: z.string() }),
  });
  return response.data;
}
