/** The sign-in page, coming back to the current page afterwards. */
export function loginHref(): string {
  return `/login?next=${encodeURIComponent(location.pathname + location.search)}`;
}
