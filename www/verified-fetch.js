// `fetch` with Subresource Integrity, shared by the page (app.js) and the learning worker
// (learn-worker.js): the digests come from pkg/integrity.js, written by scripts/build.sh.

/**
 * `fetch` with Subresource Integrity. The browser only says "Failed to fetch" when the
 * digest differs, so on failure a second, unchecked request tells a file that does not
 * match this build from a network failure.
 */
export async function fetchVerified(url, integrity) {
  try {
    return await fetch(url, integrity ? { integrity } : {});
  } catch (err) {
    if (integrity) {
      const plainResponse = await fetch(url, { cache: 'no-store' }).catch(() => null);
      // An error page fails the digest too: let the caller report its HTTP status.
      if (plainResponse && !plainResponse.ok) return plainResponse;
      if (plainResponse?.ok) {
        throw new Error(
          `${url.pathname} does not match this build (its SHA-384 digest differs); reload the page, and if this persists the copy on the server is damaged`,
          { cause: err },
        );
      }
    }
    throw err;
  }
}
