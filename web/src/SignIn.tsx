import { useState, type SubmitEvent } from 'react';
import { cleanToken } from './access.js';

/** The token is all the portal needs: it is kept for this tab only and sent to the gateway. */
export function SignIn({ onSignIn }: { onSignIn: (token: string) => void }) {
  const [value, setValue] = useState('');
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const token = cleanToken(value);
    if (token) onSignIn(token);
  };
  return (
    <main className="sign-in">
      <h1>Enterprise portal</h1>
      <form onSubmit={submit}>
        <label htmlFor="token">Token</label>
        <textarea
          id="token"
          rows={6}
          value={value}
          onChange={(e) => {
            setValue(e.target.value);
          }}
          required
        />
        <button type="submit">Sign in</button>
      </form>
      <p>
        <code>npm start</code> prints demo tokens when it starts: an operator, an admin of Seal Team Ten (who is also
        one of its learners) and a learner of Seal Team Ten. Paste one here, without the <code>JWT </code> prefix.{' '}
        <code>npm run token -- --role enterprise_learner:&lt;customer uuid&gt;</code> mints others. The token stays in
        this tab only (sessionStorage) and is sent to <code>{__GRAPHQL_URL__}</code>.
      </p>
    </main>
  );
}
