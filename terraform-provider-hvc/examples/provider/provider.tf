terraform {
  required_providers {
    hvc = { source = "hvcsdk/hvc" }
  }
}

# Every argument may come from the environment instead (HVC_URL,
# HVC_USERNAME, HVC_PASSWORD or HVC_PASSWORD_FILE, HVC_THUMBPRINT, ...), so
# the exports of `hvcctl sim` or a govc environment configure the provider.
provider "hvc" {
  url        = "vcenter.sddc-1.vmwarevmc.com"
  username   = "cloudadmin@vmc.local"
  password   = var.vcenter_password
  thumbprint = "D7:F1:49:2D:75:68:F5:D2:30:31:2D:76:54:B2:57:86:3E:14:EE:B4:C4:6E:C5:10:3C:51:50:84:5D:FD:55:81"

  # For hvc_link's delete_with_credentials (vSphere 8.0U1 and later).
  psc_username = "administrator@vsphere.local"
  psc_password = var.psc_password
}

variable "vcenter_password" {
  type      = string
  sensitive = true
}
