# Built-in rule `image-tag-latest` (one rule per file; tests in image-tag-latest_test.rego).
package tollgate.kubernetes.image_tag_latest

import rego.v1

import data.tollgate.lib.kubernetes as k8s

# METADATA
# title: Image tag latest or missing
# description: >-
#   An image without a tag, or tagged `latest`, changes under you: two rollouts
#   of the same manifest can run different code, and a rollback does not roll
#   back.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/containers/images/#image-names
# custom:
#   id: image-tag-latest
#   severity: warning
#   remediation: >-
#     Pin the image to a version tag, or better to a digest (`image:
#     app:1.4.2@sha256:...`).
#   example: |
#     containers:
#     - name: app
#       image: nginx:latest
warn contains {"msg": msg, "path": sprintf("%s/image", [c.path])} if {
	some c in k8s.containers
	image := c.container.image
	is_string(image)
	not contains(image, "@")
	problem := tag_problem(image)
	msg := sprintf(`container "%s" of %s uses image "%s", which %s`, [c.name, k8s.resource, image, problem])
}

# The last path segment holds the tag (a registry host may have a port).
last_segment(image) := parts[count(parts) - 1] if parts := split(image, "/")

tag_problem(image) := "has no tag (it pulls latest)" if not contains(last_segment(image), ":")

tag_problem(image) := "is tagged latest" if endswith(last_segment(image), ":latest")
