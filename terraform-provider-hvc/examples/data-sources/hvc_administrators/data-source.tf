data "hvc_administrators" "current" {}

output "administrators" {
  value = data.hvc_administrators.current.groups
}
