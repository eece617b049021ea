data "hvc_links" "all" {}

output "links" {
  value = data.hvc_links.all.links
}
