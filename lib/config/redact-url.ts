/**
 * A URL as messages may show it: a password (an API key in `http://user:KEY@host`) is
 * blanked, and a trailing slash dropped. Never throws: an unreadable URL is named as such.
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/+$/, '');
  } catch {
    return '(invalid URL)';
  }
}

/** Every password of these URLs, to blank wherever a server might echo one back. */
export function urlSecrets(urls: readonly string[]): string[] {
  const secrets: string[] = [];
  for (const url of urls) {
    try {
      const { password } = new URL(url);
      if (password) secrets.push(password, decodeURIComponent(password));
    } catch {
      // An unreadable URL holds nothing we could blank.
    }
  }
  return secrets;
}
