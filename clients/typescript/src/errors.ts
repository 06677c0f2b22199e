// Non-2xx answers as a typed error: the server's RFC 9457 problem document.

import type { components } from "./schema.js";

export type Problem = components["schemas"]["Problem"];
export type FieldError = components["schemas"]["FieldError"];

/** A non-2xx answer, carrying the problem+json body the server sent. */
export class NewsdeskError extends Error {
  /** The HTTP status code. */
  readonly status: number;
  /** A URI naming the problem type (`about:blank` when the status says it all). */
  readonly type: string;
  readonly title: string;
  readonly detail: string;
  /** The invalid fields of a 422 (empty otherwise). */
  readonly errors: FieldError[];
  /** The whole problem document (synthesised when the body was not one). */
  readonly problem: Problem;
  readonly response: Response;

  constructor(response: Response, body: unknown) {
    const problem = toProblem(response, body);
    super(`${problem.status} ${problem.title}: ${problem.detail}`);
    this.name = "NewsdeskError";
    this.status = problem.status;
    this.type = problem.type;
    this.title = problem.title;
    this.detail = problem.detail;
    this.errors = problem.errors ?? [];
    this.problem = problem;
    this.response = response;
  }
}

function toProblem(response: Response, body: unknown): Problem {
  if (isProblem(body)) return body;
  return {
    type: "about:blank",
    title: response.statusText || `HTTP ${response.status}`,
    status: response.status,
    detail: typeof body === "string" && body !== "" ? body : "the server sent no problem document",
  };
}

function isProblem(body: unknown): body is Problem {
  if (typeof body !== "object" || body === null) return false;
  const b = body as Record<string, unknown>;
  return (
    typeof b.type === "string" &&
    typeof b.title === "string" &&
    typeof b.status === "number" &&
    typeof b.detail === "string"
  );
}

/**
 * Throw-style access to an openapi-fetch call: resolves to `data`, or throws
 * `NewsdeskError` for a non-2xx answer.
 *
 *     const article = await unwrap(nd.client.GET("/api/v1/articles/{id_or_slug}", { params }));
 */
export async function unwrap<D>(
  call: Promise<{ data?: D; error?: unknown; response: Response }>,
): Promise<D> {
  const { data, error, response } = await call;
  if (!response.ok) throw new NewsdeskError(response, error);
  return data as D;
}
