import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { SetContextLink } from '@apollo/client/link/context';
import { storedToken } from './session.js';

/**
 * The portal's Apollo Client: every request carries the tab's token as `Authorization: JWT <token>`
 * (no cookies, so the gateway's CORS needs no credentials) and names the client
 * (`apollographql-client-name` / `-version`), which the gateway's logs and metrics show.
 */
export function createClient(): ApolloClient {
  const auth = new SetContextLink((previous) => {
    const token = storedToken();
    return token
      ? { headers: { ...(previous.headers as Record<string, string> | undefined), authorization: `JWT ${token}` } }
      : {};
  });
  return new ApolloClient({
    link: ApolloLink.from([auth, new HttpLink({ uri: __GRAPHQL_URL__ })]),
    cache: new InMemoryCache({
      // Entities whose key is not `id`; connections are not merged: a page replaces the last.
      typePolicies: {
        EnterpriseCustomer: { keyFields: ['uuid'] },
        EnterpriseCatalog: { keyFields: ['uuid'] },
        SubsidyAccessPolicy: { keyFields: ['uuid'] },
        AssignmentConfiguration: { keyFields: ['uuid'] },
        LearnerContentAssignment: { keyFields: ['uuid'] },
        SubscriptionPlan: { keyFields: ['uuid'] },
        License: { keyFields: ['uuid'] },
        Course: { keyFields: ['key'] },
        CourseRun: { keyFields: ['key'] },
        Viewer: { keyFields: [] },
      },
    }),
    clientAwareness: { name: 'enterprise-portal', version: '0.1.0' },
  });
}
