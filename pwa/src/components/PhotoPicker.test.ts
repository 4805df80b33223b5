import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import PhotoPicker from './PhotoPicker.vue'

const jpeg = (name: string) => new File([new Uint8Array([0xff, 0xd8])], name, { type: 'image/jpeg' })

function pick(input: HTMLInputElement, files: File[]) {
  Object.defineProperty(input, 'files', { value: files, configurable: true })
  input.dispatchEvent(new Event('change'))
}

describe('PhotoPicker', () => {
  it('takes photos from the camera input, shows thumbnails and removes one', async () => {
    const wrapper = mount(PhotoPicker, { props: { modelValue: [], max: 9 }, global: { stubs: { 'van-icon': true } } })
    const input = wrapper.get('input[type=file]')
    expect(input.attributes('accept')).toBe('image/*')
    expect(input.attributes('capture')).toBe('environment')
    pick(input.element as HTMLInputElement, [jpeg('a.jpg'), jpeg('b.jpg')])
    const picked = wrapper.emitted('update:modelValue')![0][0] as File[]
    expect(picked.map((f) => f.name)).toEqual(['a.jpg', 'b.jpg'])
    await wrapper.setProps({ modelValue: picked })
    expect(wrapper.findAll('img.thumb')).toHaveLength(2)
    await wrapper.get('button[aria-label="删除第1张照片"]').trigger('click')
    expect((wrapper.emitted('update:modelValue')!.at(-1)![0] as File[]).map((f) => f.name)).toEqual(['b.jpg'])
  })

  it('stops at the limit and hides the add button when full', async () => {
    const wrapper = mount(PhotoPicker, { props: { modelValue: [], max: 2 }, global: { stubs: { 'van-icon': true } } })
    pick(wrapper.get('input').element as HTMLInputElement, [jpeg('a.jpg'), jpeg('b.jpg'), jpeg('c.jpg')])
    const picked = wrapper.emitted('update:modelValue')![0][0] as File[]
    expect(picked).toHaveLength(2)
    await wrapper.setProps({ modelValue: picked })
    expect(wrapper.find('input[type=file]').exists()).toBe(false)
  })
})
