# vSphere 6.7 to 8.0 only.
data "hvc_sync_providers" "onprem" {
  link_id = hvc_link.onprem.id
}
