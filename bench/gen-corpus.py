#!/usr/bin/env python3
"""Deterministic synthetic GitOps corpus for tollgate benchmarks.

    bench/gen-corpus.py --files 10000 --seed 1 --out bench/out/corpus-10000

Writes FILES manifest files under apps/<team>/<app>/, clusters/ and crds/:
Deployments with realistic pod specs (probes, resources, env, securityContext,
affinity), StatefulSets, Services, ConfigMaps, Ingresses, RBAC, a few CRDs and
their custom resources, about a quarter of the files multi-document, and about 5%
deliberate violations (latest tags, privileged containers, missing limits,
unknown fields, duplicate keys, unquoted `yes`). The same seed gives the same
bytes. Only the standard library is used.
"""
import argparse
import os
import random

TEAMS = ["payments", "search", "checkout", "identity", "platform", "data", "growth", "mobile"]
IMAGES = ["nginx", "redis", "postgres", "envoyproxy/envoy", "ghcr.io/acme/api", "ghcr.io/acme/worker", "quay.io/prometheus/node-exporter"]

CRD = """apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.acme.example.com
spec:
  group: acme.example.com
  names: {kind: Widget, listKind: WidgetList, plural: widgets, singular: widget}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [size]
              properties:
                size: {type: integer, minimum: 1}
                color: {type: string, enum: [red, green, blue]}
                port: {x-kubernetes-int-or-string: true}
"""


def container(r, name, bad):
    tag = "latest" if "latest" in bad else f"{r.randint(1, 9)}.{r.randint(0, 30)}.{r.randint(0, 9)}"
    image = f"{r.choice(IMAGES)}:{tag}"
    lines = [
        f"        - name: {name}",
        f"          image: {image}",
        "          imagePullPolicy: IfNotPresent",
        "          ports:",
        f"            - containerPort: {r.choice([80, 8080, 9090, 5432, 6379])}",
        "              protocol: TCP",
        "          env:",
    ]
    for i in range(r.randint(6, 16)):
        value = "yes" if ("yes" in bad and i == 0) else f'"{r.randint(0, 9999)}"'
        lines.append(f"            - name: VAR_{i}")
        lines.append(f"              value: {value}")
    lines += [
        "          resources:",
        "            requests:",
        f"              cpu: {r.choice(['50m', '100m', '250m', '500m'])}",
        f"              memory: {r.choice(['64Mi', '128Mi', '256Mi', '1Gi'])}",
    ]
    if "nolimits" not in bad:
        lines += ["            limits:", f"              cpu: {r.choice(['500m', '1', '2'])}", f"              memory: {r.choice(['256Mi', '512Mi', '2Gi'])}"]
    lines += [
        "          livenessProbe:",
        "            httpGet: {path: /healthz, port: 8080}",
        f"            initialDelaySeconds: {r.randint(3, 30)}",
        "          readinessProbe:",
        "            httpGet: {path: /ready, port: 8080}",
        "          startupProbe:",
        "            tcpSocket: {port: 8080}",
        "            failureThreshold: 30",
        "            periodSeconds: 10",
        "          lifecycle:",
        "            preStop:",
        "              exec:",
        "                command: [/bin/sh, -c, sleep 5]",
        "          volumeMounts:",
        "            - name: config",
        "              mountPath: /etc/app",
        "              readOnly: true",
        "            - name: tmp",
        "              mountPath: /tmp",
        "          securityContext:",
        f"            privileged: {'true' if 'privileged' in bad else 'false'}",
        "            allowPrivilegeEscalation: false",
        "            runAsNonRoot: true",
        "            readOnlyRootFilesystem: true",
        "            capabilities:",
        "              drop: [ALL]",
    ]
    if "unknown" in bad:
        lines.append("          imagePullPolicyy: Always")
    return lines


def workload(r, kind, name, ns, bad):
    replicas = r.randint(1, 12)
    lines = [
        "apiVersion: apps/v1",
        f"kind: {kind}",
        "metadata:",
        f"  name: {name}",
        f"  namespace: {ns}",
        "  labels:",
        f"    app.kubernetes.io/name: {name}",
        f"    app.kubernetes.io/part-of: {ns}",
        "  annotations:",
        f"    team.example.com/owner: {ns}-oncall@example.com",
        f"    team.example.com/runbook: https://runbooks.example.com/{ns}/{name}",
        f"    deploy.example.com/revision: \"{r.randint(1, 10**9)}\"",
        "spec:",
        f"  replicas: {replicas}",
        f"  revisionHistoryLimit: {r.randint(3, 10)}",
    ]
    if "dupkey" in bad:
        lines.append(f"  replicas: {replicas + 1}")
    if kind == "StatefulSet":
        lines.append(f"  serviceName: {name}")
    lines += [
        "  selector:",
        "    matchLabels:",
        f"      app.kubernetes.io/name: {name}",
        "  template:",
        "    metadata:",
        "      labels:",
        f"        app.kubernetes.io/name: {name}",
        "    spec:",
        f"      serviceAccountName: {name}",
        "      securityContext:",
        "        seccompProfile: {type: RuntimeDefault}",
        "      affinity:",
        "        podAntiAffinity:",
        "          preferredDuringSchedulingIgnoredDuringExecution:",
        "            - weight: 100",
        "              podAffinityTerm:",
        "                topologyKey: kubernetes.io/hostname",
        "                labelSelector:",
        "                  matchLabels:",
        f"                    app.kubernetes.io/name: {name}",
        "      tolerations:",
        "        - key: dedicated",
        "          operator: Equal",
        f"          value: {ns}",
        "          effect: NoSchedule",
        "      topologySpreadConstraints:",
        "        - maxSkew: 1",
        "          topologyKey: topology.kubernetes.io/zone",
        "          whenUnsatisfiable: ScheduleAnyway",
        "          labelSelector:",
        "            matchLabels:",
        f"              app.kubernetes.io/name: {name}",
        "      volumes:",
        "        - name: config",
        "          configMap:",
        f"            name: {name}-config",
        "        - name: tmp",
        "          emptyDir: {}",
        "      containers:",
    ]
    for i in range(r.choice([1, 1, 1, 2])):
        lines += container(r, name if i == 0 else f"{name}-sidecar", bad)
    return "\n".join(lines) + "\n"


def service(r, name, ns):
    return f"""apiVersion: v1
kind: Service
metadata:
  name: {name}
  namespace: {ns}
spec:
  type: ClusterIP
  selector:
    app.kubernetes.io/name: {name}
  ports:
    - name: http
      port: 80
      targetPort: {r.choice([8080, 9090])}
"""


def configmap(r, name, ns):
    data = "\n".join(f"  key_{i}: \"{r.randint(0, 10**6)}\"" for i in range(r.randint(2, 8)))
    conf = "\n".join(f"    {k}.{j} = {r.randint(0, 10**6)}" for k in ("server", "cache", "db", "queue") for j in range(r.randint(25, 60)))
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}-config\n  namespace: {ns}\ndata:\n{data}\n  app.properties: |\n{conf}\n"


def ingress(r, name, ns):
    return f"""apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {name}
  namespace: {ns}
spec:
  ingressClassName: nginx
  tls:
    - hosts: [{name}.{ns}.example.com]
      secretName: {name}-tls
  rules:
    - host: {name}.{ns}.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: {name}
                port: {{number: 80}}
"""


def rbac(r, name, ns):
    return f"""apiVersion: v1
kind: ServiceAccount
metadata:
  name: {name}
  namespace: {ns}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: {name}
  namespace: {ns}
rules:
  - apiGroups: [""]
    resources: [configmaps, secrets]
    verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: {name}
  namespace: {ns}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: {name}
subjects:
  - kind: ServiceAccount
    name: {name}
    namespace: {ns}
"""


def widget(r, name, ns, bad):
    size = "big" if "unknown" in bad else r.randint(1, 10)
    return f"apiVersion: acme.example.com/v1\nkind: Widget\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  size: {size}\n  color: {r.choice(['red', 'green', 'blue'])}\n  port: {r.choice(['http', 8080])}\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    r = random.Random(args.seed)
    os.makedirs(os.path.join(args.out, "crds"), exist_ok=True)
    with open(os.path.join(args.out, "crds", "widgets.yaml"), "w") as f:
        f.write(CRD)
    violations = ["latest", "privileged", "nolimits", "unknown", "dupkey", "yes"]
    docs = 1
    for i in range(1, args.files):
        team = TEAMS[i % len(TEAMS)]
        app = f"app-{i // 6:05d}"
        ns = f"{team}-prod" if i % 3 else f"{team}-staging"
        bad = {r.choice(violations)} if r.random() < 0.05 else set()
        pick = r.random()
        if pick < 0.40:
            kind, body = "deployment", workload(r, "Deployment", app, ns, bad)
        elif pick < 0.46:
            kind, body = "statefulset", workload(r, "StatefulSet", app, ns, bad)
        elif pick < 0.55:
            kind, body = "service", service(r, app, ns)
        elif pick < 0.72:
            kind, body = "configmap", configmap(r, app, ns)
        elif pick < 0.80:
            kind, body = "ingress", ingress(r, app, ns)
        elif pick < 0.88:
            kind, body = "rbac", rbac(r, app, ns)
        elif pick < 0.93:
            kind, body = "widget", widget(r, app, ns, bad)
        else:
            # A multi-document bundle: workload, service and config together.
            kind = "bundle"
            body = "---\n".join([workload(r, "Deployment", app, ns, bad), service(r, app, ns), configmap(r, app, ns)])
        docs += body.count("\n---\n") + 1 + (1 if body.startswith("---") else 0)
        path = os.path.join(args.out, "apps", team, app, f"{kind}-{i:06d}.yaml")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(body)
    print(f"{args.files} files, about {docs} documents in {args.out}")


if __name__ == "__main__":
    main()
