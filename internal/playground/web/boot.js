// boot.js starts GraphiQL on the page served by podcastgraph's playground
// package. It is a file rather than an inline script so that the page's
// Content-Security-Policy can allow scripts from 'self' only. Its settings
// come from the JSON block #graphiql-config, written by the Go handler.
(function () {
  'use strict';

  var config = JSON.parse(document.getElementById('graphiql-config').textContent);
  var url = new URL(config.endpoint, window.location.href).toString();

  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: GraphiQL.createFetcher({ url: url }),
      // Shown when the browser has no saved tabs, e.g. on a first visit.
      defaultQuery: config.defaultQuery,
      plugins: [GraphiQLPluginExplorer.explorerPlugin()],
      isHeadersEditorEnabled: true,
      inputValueDeprecation: true,
    }),
  );
})();
