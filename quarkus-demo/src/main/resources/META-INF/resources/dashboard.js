// The demo's dashboard: every second, every node's view of itself and the latest assignments this node applied.
// Plain DOM and XMLHttpRequest (what every browser has, HtmlUnit's included: it has no fetch), no library, no build.
(function () {
  'use strict';

  var seenAssignments = {};
  var firstRound = true;

  function text(value) {
    return value === null || value === undefined ? '' : String(value);
  }

  function cell(row, value) {
    var td = document.createElement('td');
    td.textContent = text(value);
    row.appendChild(td);
    return td;
  }

  function setStatus(message, error) {
    var s = document.getElementById('status');
    s.textContent = message;
    s.className = error ? 'error' : '';
  }

  // A request whose promise resolves with {status, body} (the body parsed when JSON), or rejects if there was no answer.
  function request(method, path, body) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open(method, path);
      xhr.setRequestHeader('Accept', 'application/json, application/problem+json');
      if (body !== undefined) {
        xhr.setRequestHeader('Content-Type', 'application/json');
      }
      xhr.timeout = 5000;
      xhr.onload = function () {
        var parsed = null;
        try {
          parsed = xhr.responseText ? JSON.parse(xhr.responseText) : null;
        } catch (notJson) {
          parsed = null;
        }
        resolve({ status: xhr.status, body: parsed });
      };
      xhr.onerror = function () {
        reject(new Error(path + ': no answer'));
      };
      xhr.ontimeout = xhr.onerror;
      xhr.send(body === undefined ? null : JSON.stringify(body));
    });
  }

  function getJson(path) {
    return request('GET', path).then(function (r) {
      if (r.status !== 200) {
        throw new Error(path + ': HTTP ' + r.status);
      }
      return r.body;
    });
  }

  // The new rows go into a new tbody, which replaces the old one in one step: a reader never sees a half table.
  function replaceBody(tableId, body) {
    var table = document.getElementById(tableId);
    table.replaceChild(body, table.querySelector('tbody'));
  }

  function renderNodes(nodes) {
    var body = document.createElement('tbody');
    nodes.forEach(function (n) {
      var row = document.createElement('tr');
      row.id = 'node-' + n.node;
      row.setAttribute('data-node', n.node);
      if (!n.reachable) {
        row.className = 'down';
        cell(row, n.node);
        cell(row, 'DOWN').className = 'role';
        for (var i = 0; i < 8; i++) {
          cell(row, '');
        }
      } else {
        row.className = n.role === 'LEADER' ? 'leader' : '';
        cell(row, n.node);
        cell(row, n.role).className = 'role';
        cell(row, n.term).className = 'term';
        cell(row, n.leader).className = 'leader-id';
        cell(row, n.commitIndex).className = 'commit';
        cell(row, n.appliedIndex).className = 'applied';
        cell(row, n.firstIndex).className = 'first';
        cell(row, n.snapshotIndex).className = 'snapshot';
        cell(row, (n.voters || []).join(' '));
        cell(row, (n.learners || []).join(' '));
      }
      body.appendChild(row);
    });
    replaceBody('nodes', body);
  }

  function renderAssignments(events) {
    var body = document.createElement('tbody');
    events.forEach(function (e) {
      var row = document.createElement('tr');
      row.setAttribute('data-topic', e.topic);
      row.setAttribute('data-index', e.index);
      if (!firstRound && !seenAssignments[e.index]) {
        row.className = 'fresh';
      }
      seenAssignments[e.index] = true;
      cell(row, e.index);
      cell(row, e.topic).className = 'topic';
      cell(row, e.owners.join(', ')).className = 'owners';
      cell(row, e.requestId);
      body.appendChild(row);
    });
    replaceBody('assignments', body);
    firstRound = false;
  }

  function refresh() {
    Promise.all([getJson('/cluster'), getJson('/cluster/nodes'), getJson('/assignments?limit=15')])
      .then(function (results) {
        document.getElementById('self').textContent = results[0].node;
        renderNodes(results[1]);
        renderAssignments(results[2]);
        document.getElementById('updated').textContent = new Date().toLocaleTimeString();
        setStatus('live', false);
      })
      .catch(function (e) {
        setStatus('this node does not answer (' + e.message + ')', true);
      })
      .then(function () {
        setTimeout(refresh, 1000);
      });
  }

  document.getElementById('assign').addEventListener('submit', function (event) {
    event.preventDefault();
    var topic = document.getElementById('topic').value.trim();
    var owners = document.getElementById('owners').value.split(',').map(function (o) {
      return o.trim();
    }).filter(function (o) {
      return o.length > 0;
    });
    var result = document.getElementById('assign-result');
    result.textContent = 'assigning...';
    request('PUT', '/topics/' + encodeURIComponent(topic), { owners: owners }).then(function (r) {
      var body = r.body || {};
      if (r.status === 200) {
        result.textContent = 'assigned ' + body.topic + ' (version ' + body.version + ', log index ' + body.index + ')';
      } else {
        result.textContent = 'refused: ' + body.title + ': ' + body.detail;
      }
    }).catch(function (e) {
      result.textContent = 'failed: ' + e.message;
    });
  });

  refresh();
}());
