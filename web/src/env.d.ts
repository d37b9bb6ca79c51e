/** The gateway's URL, fixed when the portal is built (`GRAPHQL_URL`, see web/vite.config.ts). */
declare const __GRAPHQL_URL__: string;
