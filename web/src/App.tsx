import { useApolloClient, useQuery } from '@apollo/client/react';
import { useState } from 'react';
import { ViewerDocument } from '../../client/generated/graphql.js';
import { AdminPage } from './admin/AdminPage.js';
import { ErrorNotice, Loading } from './components.js';
import { LearnerPage } from './learner/LearnerPage.js';
import { accessFromRoles } from './access.js';
import { storedToken, storeToken } from './session.js';
import { SignIn } from './SignIn.js';

type View = 'admin' | 'learner';

export function App() {
  const [token, setToken] = useState(storedToken);
  const client = useApolloClient();
  const signOut = () => {
    storeToken(null);
    setToken(null);
    void client.clearStore();
  };
  if (!token) {
    return (
      <SignIn
        onSignIn={(value) => {
          storeToken(value);
          setToken(value);
        }}
      />
    );
  }
  return <Portal onSignOut={signOut} />;
}

function Portal({ onSignOut }: { onSignOut: () => void }) {
  const { data, loading, error } = useQuery(ViewerDocument);
  const [chosen, setChosen] = useState<View | null>(null);
  if (loading) return <Loading what="your access" />;
  if (error || !data) {
    return (
      <main>
        <ErrorNotice error={error} />
        <button onClick={onSignOut}>Sign out</button>
      </main>
    );
  }
  const access = accessFromRoles(data.me.roles);
  const adminOf = access.operator ? data.me.enterpriseCustomers.map((c) => c.uuid) : access.adminOf;
  const views: View[] = [
    ...(adminOf.length ? ['admin' as const] : []),
    ...(access.learnerOf.length ? ['learner' as const] : []),
  ];
  const view = chosen && views.includes(chosen) ? chosen : views[0];
  return (
    <>
      <header className="bar">
        <strong>Enterprise portal</strong>
        <nav>
          {views.length > 1 &&
            views.map((v) => (
              <button
                key={v}
                className={v === view ? 'tab active' : 'tab'}
                onClick={() => {
                  setChosen(v);
                }}
              >
                {v === 'admin' ? 'Admin' : 'Learner'}
              </button>
            ))}
        </nav>
        <span className="who">{data.me.email ?? 'unknown user'}</span>
        <button onClick={onSignOut}>Sign out</button>
      </header>
      <main>
        {view === 'admin' && <AdminPage customers={adminOf} />}
        {view === 'learner' && <LearnerPage />}
        {!view && <p className="notice">This token has no admin or learner role in any customer.</p>}
      </main>
    </>
  );
}
