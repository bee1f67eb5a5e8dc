// The password rules, checked wherever a password is set: createUser (API and
// `npm run user:create`) and changePassword (POST /auth/password). Length is what matters most
// (NIST SP 800-63B); composition rules are deliberately absent. The list below holds the passwords
// that top every breach corpus and still reach 12 characters, so length alone would let them in.

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 1024;

const COMMON_PASSWORDS = new Set([
  '123456789012',
  '1234567890123',
  '12345678901234',
  '123456123456',
  '111111111111',
  '000000000000',
  '123123123123',
  '121212121212',
  '987654321000',
  'qwertyuiopas',
  'qwertyuiop123',
  'qwerty123456',
  '1q2w3e4r5t6y',
  '1qaz2wsx3edc',
  'zaq12wsxcde3',
  'asdfghjkl123',
  'password1234',
  'password12345',
  'password123456',
  'passwordpassword',
  'p@ssw0rd1234',
  'p@ssword1234',
  'iloveyou1234',
  'letmein12345',
  'welcome12345',
  'welcome123456',
  'administrator',
  'admin1234567',
  'changeme1234',
  'changemechangeme',
  'trustno1trustno1',
  'football1234',
  'baseball1234',
  'superman1234',
  'starwars1234',
  'monkey123456',
  'dragon123456',
  'sunshine1234',
  'princess1234',
  'abcdefghijkl',
  'abc123abc123',
  'aaaaaaaaaaaa',
  'safeground123',
  'safeground1234',
  'minefield1234',
  'demining1234',
]);

/** What is wrong with a password, or null when it is acceptable. */
export function passwordProblem(password: string, email: string): string | null {
  if ([...password].length < MIN_PASSWORD_LENGTH)
    return `password must have at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `password must have at most ${MAX_PASSWORD_LENGTH} characters`;
  const folded = password.toLowerCase();
  // The email address and its mailbox name, however short, are what an attacker tries first: what
  // is left of the password without them must still be long enough. Removing them rather than
  // refusing any password that contains them keeps ordinary words that happen to hold "ab" or "jo".
  const address = email.toLowerCase();
  const mailbox = address.split('@')[0] ?? address;
  const rest = [address, mailbox]
    .filter((part) => part !== '')
    .reduce((left, part) => left.split(part).join(''), folded);
  if ([...rest].length < MIN_PASSWORD_LENGTH) {
    return `password must have at least ${MIN_PASSWORD_LENGTH} characters besides the email address and its mailbox name`;
  }
  if (COMMON_PASSWORDS.has(folded) || COMMON_PASSWORDS.has(folded.replace(/[\s_.-]/g, ''))) {
    return 'password is one of the most common passwords';
  }
  if (new Set(folded).size < 4) return 'password must use at least four different characters';
  return null;
}
