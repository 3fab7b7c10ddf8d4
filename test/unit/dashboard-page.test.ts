// The dashboard page: its script parses, and it has the token prompt's code path.
import { Script } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { dashboardPage } from '../../ui/dashboard-page';

describe('dashboardPage', () => {
  const page = dashboardPage('taba');
  const script = /<script>([\s\S]*)<\/script>/.exec(page)![1]!;

  it('is one page whose script parses', () => {
    expect(() => new Script(script)).not.toThrow();
    expect(page).toContain('<meta name="tabstream-topology" content="taba">');
    expect(dashboardPage('<x>')).toContain('content="&lt;x&gt;"');
  });

  it('asks for a token on a 401, keeps it in sessionStorage and sends it on every request', () => {
    // The prompt: hidden until a 401, a password field, a line saying why.
    expect(page).toMatch(/<form id="auth" class="auth" hidden>[\s\S]*<input id="auth-token" type="password"[\s\S]*<span id="auth-message"/);
    expect(script).toContain('sessionStorage.getItem(TOKEN_KEY)');
    expect(script).toContain('sessionStorage.setItem(TOKEN_KEY, value)');
    expect(script).toContain('headers: sent ? { authorization: "Bearer " + sent } : {}');
    expect(script).toContain('if (res.status === 401 && sent === token) askForToken(sent !== null);');
    expect(script).toContain('"That token was refused: enter another."');
    // Every API call goes through getJson, so every one carries the token.
    expect(script.match(/fetch\(/g)).toHaveLength(1);
  });
});
